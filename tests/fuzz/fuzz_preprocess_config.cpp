// Preprocessing settings strings (PreprocessConfig::parse), both forms: `grayscale=0,resize=75,quality=50`
// and the study's `BW,0,quality,50%,resize,75%`. They come from requests, PUT /v1/config, the CLI and
// experiment files. What must hold:
//  - parse either fails with `Error` or gives a valid config whose canonical text parses back equal;
//  - an experiment file with the same string as an edge's `preprocess` gives the same config (experiments
//    turn the string into an object of settings so that grid axes can change one of them), and a grid
//    axis `edges.preprocess.quality` then wins over the string's own quality, exactly as appending
//    `quality=37` to the string would.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "edgebench/experiment.hpp"
#include "edgebench/preprocess_config.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace edgebench;
using nlohmann::json;

PreprocessConfig edge_preprocess(const json& document) {
    const Experiment experiment = Experiment::parse(document.dump(), "/nonexistent/experiments", "fuzz");
    return experiment.runs().at(0).edges.at(0).preprocess;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::text_of(data, size));
    PreprocessConfig config;
    if (!fuzz::expect_errors_only([&] { config = PreprocessConfig::parse(text); })) return 0;
    config.validate();
    fuzz::check(PreprocessConfig::parse(config.to_string()) == config, "parse(to_string(c)) != c");

    // Experiment files are YAML, of which JSON is a subset; a string that is not UTF-8 cannot be written
    // into one.
    json document = {{"dataset", {{"synthetic", {{"count", 1}}}}}, {"edges", {{"preprocess", text}}}};
    try {
        (void)document.dump();
    } catch (const json::type_error&) {
        return 0;
    }
    fuzz::check(edge_preprocess(document) == config, "an experiment reads the preprocess string differently");

    // With a grid axis on the quality: the same as the string with the quality appended.
    const bool pairs = text.find('=') == std::string::npos;
    const bool blank = text.find_first_not_of(" \t\n\v\f\r") == std::string::npos;  // isspace in the C locale
    const std::string appended = blank ? "quality=37" : text + (pairs ? ",quality,37" : ",quality=37");
    PreprocessConfig expected;
    if (!fuzz::expect_errors_only([&] { expected = PreprocessConfig::parse(appended); })) return 0;
    document["grid"] = {{"edges.preprocess.quality", {37}}};
    fuzz::check(edge_preprocess(document) == expected, "a grid axis on the quality does not override the string's");
    return 0;
}
