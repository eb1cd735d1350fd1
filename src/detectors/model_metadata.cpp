#include "detectors/model_metadata.hpp"


#include "edgebench/error.hpp"
#include "internal/json_cursor.hpp"

namespace edgebench::detail {

ModelMetadata parse_model_metadata(std::string_view text, const std::string& file) {
    ModelMetadata metadata;
    if (text.empty()) return metadata;
    const std::string source = file + " (" + kModelMetadataFile + ")";
    try {
        const nlohmann::json json = parse_json(text, source);
        const JsonCursor root(json, "", source);
        root.expect_object();
        metadata.present = true;
        if (auto name = root.find("name")) metadata.name = name->as_string();
        if (auto architecture = root.find("architecture")) metadata.architecture = architecture->as_string();
        if (auto weights = root.find("weights")) metadata.weights = weights->as_string();
        if (auto categories = root.find("categories")) {
            CategoryTable table;
            for (std::size_t i = 0; i < categories->array_size(); ++i) {
                const JsonCursor entry = categories->at(i);
                Category category;
                category.id = entry.at("id").as_int();
                category.name = entry.at("name").as_string();
                if (auto super = entry.find("supercategory")) {
                    category.supercategory = super->as_string();
                } else if (const auto& coco = CategoryTable::coco();
                           coco.contains(category.id) && coco.at(category.id).name == category.name) {
                    category.supercategory = coco.at(category.id).supercategory;  // torchvision lists names only
                }
                if (table.contains(category.id)) entry.at("id").fail("a category id not used before");
                table.add(std::move(category));
            }
            if (table.empty()) categories->fail("at least one category");
            metadata.categories = std::move(table);
        }
        if (auto input = root.find("input")) {
            input->expect_object();
            if (auto color = input->find("color")) {
                const auto value = color->as_string();
                if (value != "rgb" && value != "bgr") color->fail("\"rgb\" or \"bgr\"");
                metadata.rgb = value == "rgb";
            }
            if (auto scale = input->find("scale")) {
                metadata.scale = scale->as_number();
                if (!(metadata.scale > 0)) scale->fail("a positive number");
            }
        }
    } catch (const Error& error) {
        // Every problem with a model file is about the `model` setting; keep the JSON path in the text.
        throw Error(error.field().empty() ? error.message() : error.field() + ": " + error.message(), "model",
                    error.file().empty() ? source : error.file());
    }
    return metadata;
}

}  // namespace edgebench::detail
