#pragma once
// The `edgebench.json` file that edgebench's exporters store inside a TorchScript archive (see
// python/edgebench/models/metadata.py for the writer). No torch headers here.

#include <string>
#include <string_view>

#include "edgebench/category_table.hpp"

namespace edgebench::detail {

/// Name of the extra file in the archive.
inline constexpr const char* kModelMetadataFile = "edgebench.json";

struct ModelMetadata {
    bool present = false;  ///< false: the archive had no metadata and these are the defaults
    std::string name;
    std::string architecture;
    std::string weights;
    /// The model's `labels` are these ids. Defaults to COCO's, which torchvision models use.
    CategoryTable categories = CategoryTable::coco();
    /// Channel order the model takes: true for RGB (torchvision), false for BGR.
    bool rgb = true;
    /// The model takes `pixel / scale`; torchvision takes 0..1, i.e. 255.
    double scale = 255.0;
};

/// Parses the metadata text; empty text gives the defaults. Throws `Error` (field "model", `file`)
/// naming the offending JSON field.
ModelMetadata parse_model_metadata(std::string_view text, const std::string& file);

}  // namespace edgebench::detail
