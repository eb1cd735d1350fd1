// Experiment files that are malformed in ways found by fuzzing (tests/fuzz/fuzz_experiment.cpp and
// fuzz_preprocess_config.cpp): each must be refused with `Error` or read as documented.

#include <gtest/gtest.h>

#include "edgebench/error.hpp"
#include "edgebench/experiment.hpp"

using namespace edgebench;

namespace {

Experiment parse_hostile(const std::string& text) { return Experiment::parse(text, "/nonexistent", "x.yaml"); }

const char* kHead = "dataset: {synthetic: {count: 1}}\n";

}  // namespace

TEST(ExperimentHostile, TextThatIsNotUtf8IsAnError) {
    // yaml-cpp passes the bytes through; writing them into JSON (an error message, the manifest) threw
    // nlohmann::json::type_error instead.
    EXPECT_THROW((void)parse_hostile("dataset:\xff\xff: in\n"), Error);
    EXPECT_THROW((void)parse_hostile(std::string(kHead) + "edges: {name: \"e\xc3\"}\n"), Error);
    EXPECT_THROW((void)parse_hostile(std::string(kHead) + "edges: {\xfe: 1}\n"), Error);
}

TEST(ExperimentHostile, KeysThatAreNotTextAreAnError) {
    // `? [a, b]` is a key that is a list; yaml-cpp's conversion of it to a string threw its own exception.
    EXPECT_THROW((void)parse_hostile(std::string(kHead) + "edges: {name: e}\n? [a, b]\n: 1\n"), Error);
    EXPECT_THROW((void)parse_hostile(std::string(kHead) + "edges: {name: e}\n{x: 1}: 2\n"), Error);
}

TEST(ExperimentHostile, ABlankPreprocessStringIsTheIdentity) {
    // It used to be read as the study's key,value form with no pairs, which re-encodes as JPEG.
    for (const char* blank : {"\"\"", "\" \"", "\"\\t\""}) {
        const auto experiment = parse_hostile(std::string(kHead) + "edges: {name: e, preprocess: " + blank + "}\n");
        EXPECT_EQ(experiment.runs().at(0).edges.at(0).preprocess, PreprocessConfig{}) << blank;
    }
}

TEST(ExperimentHostile, AGridAxisReplacesASettingWrittenWithSpaces) {
    // "quality =50" became the key "quality " next to the axis's "quality", and the string's 50 won.
    for (const char* text : {"quality =50", "quality\\f=50", "format=png, quality = 50", "quality,50 "}) {
        const auto experiment = parse_hostile(std::string(kHead) + "edges: {name: e, preprocess: \"" + text +
                                      "\"}\ngrid: {edges.preprocess.quality: [37]}\n");
        EXPECT_EQ(experiment.runs().at(0).edges.at(0).preprocess.quality, 37) << text;
    }
}

TEST(ExperimentHostile, TheEdgeIndexOfAGridAxisIsAWholeNumber) {
    // `edges[*]` made std::stoul throw std::invalid_argument out of Experiment::parse (found by fuzzing).
    const std::string edges = std::string(kHead) + "edges: [{name: a}, {name: b}]\n";
    for (const char* axis : {"edges[*]", "edges[]", "edges[1x]", "edges[-1]", "edges[99999999999999999999]", "edges[1"}) {
        try {
            (void)parse_hostile(edges + "grid: {\"" + axis + ".detector\": [none]}\n");
            ADD_FAILURE() << "accepted " << axis;
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find("edges"), std::string::npos) << axis << ": " << error.what();
        }
    }
    EXPECT_EQ(parse_hostile(edges + "grid: {\"edges[1].detector\": [none]}\n").runs().size(), 1u);
}
