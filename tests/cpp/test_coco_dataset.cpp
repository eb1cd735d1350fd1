#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "test_support.hpp"

using namespace edgebench;
using nlohmann::json;

namespace {

json small_dataset() {
    return json::parse(R"({
      "info": {"description": "tiny"},
      "licenses": [{"id": 1, "name": "cc"}],
      "images": [
        {"id": 1, "file_name": "a.jpg", "width": 100, "height": 80, "license": 1},
        {"id": 2, "file_name": "b.jpg", "width": 50, "height": 40},
        {"id": 3, "file_name": "c.jpg", "width": 60, "height": 60}
      ],
      "annotations": [
        {"id": 10, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 11.5, "iscrowd": 0,
         "segmentation": [[1, 2, 4, 2, 4, 6]]},
        {"id": 11, "image_id": 1, "category_id": 2, "bbox": [5, 5, 10, 10], "area": 100, "iscrowd": 1},
        {"id": 12, "image_id": 2, "category_id": 2, "bbox": [0, 0, 5, 5]}
      ],
      "categories": [{"id": 1, "name": "cat", "supercategory": "animal"}, {"id": 2, "name": "dog"}]
    })");
}

// Parses `document` and returns the error it must raise.
Error parse_error(const json& document) {
    try {
        (void)CocoDataset::parse(document.dump(), "/img", "x.json");
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error raised";
    return Error("none");
}

}  // namespace

TEST(CocoDataset, ParsesImagesAnnotationsAndCategories) {
    const auto dataset = CocoDataset::parse(small_dataset().dump(), "/data/img");
    ASSERT_EQ(dataset.size(), 3u);
    EXPECT_EQ(dataset.annotation_count(), 3u);
    EXPECT_EQ(dataset.categories().size(), 2u);
    const auto& first = dataset.at(1);
    EXPECT_EQ(first.file_name, "a.jpg");
    EXPECT_EQ(first.path, std::filesystem::path("/data/img/a.jpg"));
    EXPECT_EQ(first.width, 100);
    ASSERT_EQ(first.annotations.size(), 2u);
    EXPECT_EQ(first.annotations[0].bbox, (BBox{1, 2, 3, 4}));
    EXPECT_DOUBLE_EQ(first.annotations[0].area, 11.5);
    EXPECT_FALSE(first.annotations[0].iscrowd);
    EXPECT_TRUE(first.annotations[1].iscrowd);
    // area defaults to the box area when absent
    EXPECT_DOUBLE_EQ(dataset.at(2).annotations[0].area, 25.0);
    EXPECT_TRUE(dataset.at(3).annotations.empty());
    EXPECT_EQ(dataset.find(99), nullptr);
    EXPECT_THROW((void)dataset.at(99), Error);
}

TEST(CocoDataset, SaveAndLoadRoundTripKeepsEveryField) {
    test::TempDir dir;
    const auto original = CocoDataset::parse(small_dataset().dump(), dir.path());
    original.save(dir / "out.json");
    const auto reloaded = CocoDataset::load(dir / "out.json");
    const json a = json::parse(original.to_json());
    const json b = json::parse(reloaded.to_json());
    EXPECT_EQ(a, b);
    // Fields the library does not model survive the round trip.
    EXPECT_EQ(b["annotations"][0]["segmentation"], json::parse("[[1, 2, 4, 2, 4, 6]]"));
    EXPECT_EQ(b["images"][0]["license"], 1);
    EXPECT_EQ(b["info"]["description"], "tiny");
    EXPECT_EQ(b["licenses"][0]["name"], "cc");
}

TEST(CocoDataset, ErrorsNameTheFileAndTheField) {
    {
        json d = small_dataset();
        d["images"][1].erase("width");
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "images[1].width");
        EXPECT_EQ(error.file(), "x.json");
        EXPECT_NE(std::string(error.what()).find("missing required field"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["images"][0]["id"] = "one";
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "images[0].id");
        EXPECT_NE(error.message().find("expected an integer"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["images"][2]["id"] = 1;
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "images[2].id");
        EXPECT_NE(error.message().find("duplicate image id 1"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][2]["id"] = 10;
        EXPECT_NE(parse_error(d).message().find("duplicate annotation id 10"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][1]["image_id"] = 42;
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "annotations[1].image_id");
        EXPECT_NE(error.message().find("unknown image id 42"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][0]["category_id"] = 7;
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "annotations[0].category_id");
        EXPECT_NE(error.message().find("unknown category id 7"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][0]["bbox"] = json::array({1, 2, -3, 4});
        const auto error = parse_error(d);
        EXPECT_EQ(error.field(), "annotations[0].bbox[2]");
        EXPECT_NE(error.message().find("negative"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][0]["bbox"] = json::array({1, 2, 3});
        EXPECT_EQ(parse_error(d).field(), "annotations[0].bbox");
    }
    {
        json d = small_dataset();
        d["categories"][1]["id"] = 1;
        EXPECT_NE(parse_error(d).message().find("duplicate category id 1"), std::string::npos);
    }
    {
        json d = small_dataset();
        d["annotations"][0]["iscrowd"] = 2;
        EXPECT_EQ(parse_error(d).field(), "annotations[0].iscrowd");
    }
    {
        json d = small_dataset();
        d.erase("categories");
        EXPECT_EQ(parse_error(d).field(), "categories");
    }
}

TEST(CocoDataset, MalformedJsonReportsLineAndColumn) {
    try {
        (void)CocoDataset::parse("{\n  \"images\": [\n    {\"id\": 1,,}\n  ]\n}", "/img", "broken.json");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.file(), "broken.json");
        EXPECT_NE(error.message().find("line 3"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)CocoDataset::parse("[1, 2]", "/img"), Error);
    EXPECT_THROW((void)CocoDataset::parse("", "/img"), Error);
}

TEST(CocoDataset, MissingFilesAreReportedWithTheirPath) {
    test::TempDir dir;
    EXPECT_THROW((void)CocoDataset::load(dir / "nope.json"), Error);
    test::write_text(dir / "instances.json", small_dataset().dump());
    const auto dataset = CocoDataset::load(dir / "instances.json");
    EXPECT_EQ(dataset.image_dir(), dir.path());  // no images/ folder: the JSON's own folder
    try {
        (void)read_image_bytes(dataset[0]);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.file(), (dir / "a.jpg").string());
        EXPECT_NE(error.message().find("not found"), std::string::npos);
    }
}

TEST(CocoDataset, ImageFolderDefaultsToImagesBesideTheJson) {
    test::TempDir dir;
    std::filesystem::create_directory(dir / "images");
    test::write_text(dir / "instances.json", small_dataset().dump());
    EXPECT_EQ(CocoDataset::load(dir / "instances.json").image_dir(), dir / "images");
    EXPECT_EQ(CocoDataset::load(dir / "instances.json", dir / "elsewhere").image_dir(), dir / "elsewhere");
}

TEST(CocoDataset, Subsets) {
    // 20 images with ids 100..119 and one annotation each of category 1 or 2.
    json d = small_dataset();
    d["images"] = json::array();
    d["annotations"] = json::array();
    for (int i = 0; i < 20; ++i) {
        d["images"].push_back({{"id", 100 + i}, {"file_name", std::to_string(i) + ".jpg"}, {"width", 10}, {"height", 10}});
        d["annotations"].push_back(
            {{"id", i}, {"image_id", 100 + i}, {"category_id", 1 + i % 2}, {"bbox", {0, 0, 1, 1}}});
    }
    const auto dataset = CocoDataset::parse(d.dump(), "/img");

    const auto first = dataset.first(5);
    ASSERT_EQ(first.size(), 5u);
    EXPECT_EQ(first[4].id, 104);
    EXPECT_EQ(dataset.first(100).size(), 20u);

    const auto a = dataset.random(7, 42);
    const auto b = dataset.random(7, 42);
    const auto c = dataset.random(7, 43);
    ASSERT_EQ(a.size(), 7u);
    std::vector<Id> ids_a, ids_b, ids_c;
    for (const auto& s : a) ids_a.push_back(s.id);
    for (const auto& s : b) ids_b.push_back(s.id);
    for (const auto& s : c) ids_c.push_back(s.id);
    EXPECT_EQ(ids_a, ids_b);
    EXPECT_NE(ids_a, ids_c);
    EXPECT_TRUE(std::is_sorted(ids_a.begin(), ids_a.end()));
    EXPECT_EQ(std::set<Id>(ids_a.begin(), ids_a.end()).size(), 7u);
    // The draw is fixed by the seed on every platform and release: published subsets stay reproducible.
    std::vector<Id> ids_seed1;
    for (const auto& s : dataset.random(3, 1)) ids_seed1.push_back(s.id);
    EXPECT_EQ(ids_seed1, (std::vector<Id>{105, 109, 114}));

    const auto dogs = dataset.with_categories({2});
    EXPECT_EQ(dogs.size(), 10u);
    EXPECT_EQ(dogs.categories().size(), 1u);
    for (const auto& s : dogs) {
        for (const auto& annotation : s.annotations) EXPECT_EQ(annotation.category_id, 2);
    }
    EXPECT_THROW((void)dataset.with_categories({9}), Error);
}

TEST(CocoDataset, LoadsTheRealCocoSample) {
    const auto json_path = test::coco_sample_json();
    if (json_path.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    const auto dataset = CocoDataset::load(json_path);
    EXPECT_EQ(dataset.size(), 128u);
    EXPECT_EQ(dataset.annotation_count(), 987u);
    std::size_t crowd = 0;
    std::size_t without_objects = 0;
    std::set<Id> used_categories;
    for (const auto& sample : dataset) {
        if (sample.annotations.empty()) ++without_objects;
        for (const auto& a : sample.annotations) {
            crowd += a.iscrowd ? 1 : 0;
            used_categories.insert(a.category_id);
        }
    }
    EXPECT_EQ(crowd, 10u);
    EXPECT_EQ(without_objects, 2u);
    EXPECT_EQ(used_categories.size(), 78u);
    const auto image = read_image(dataset.at(397133));
    EXPECT_EQ(image.cols, dataset.at(397133).width);
    EXPECT_EQ(image.rows, dataset.at(397133).height);
}
