#include <gtest/gtest.h>

#include "edgebench/error.hpp"
#include "edgebench/preprocess_config.hpp"

using namespace edgebench;

namespace {
std::string field_of_error(const std::string& text) {
    try {
        (void)PreprocessConfig::parse(text);
    } catch (const Error& error) {
        return error.field();
    }
    return "<no error>";
}
}  // namespace

TEST(PreprocessConfig, EmptyTextIsTheIdentity) {
    const auto config = PreprocessConfig::parse("");
    EXPECT_EQ(config, PreprocessConfig{});
    EXPECT_FALSE(config.changes_pixels());
    EXPECT_EQ(config.encoding, ImageEncoding::Original);
}

TEST(PreprocessConfig, StructuredForm) {
    const auto config = PreprocessConfig::parse("grayscale=1, resize=75, quality=50");
    EXPECT_TRUE(config.grayscale);
    EXPECT_DOUBLE_EQ(config.resize_percent, 75);
    EXPECT_EQ(config.quality, 50);
    EXPECT_EQ(config.encoding, ImageEncoding::Jpeg);  // quality implies JPEG
    EXPECT_TRUE(config.changes_pixels());

    const auto png = PreprocessConfig::parse("format=png,max_side=320");
    EXPECT_EQ(png.encoding, ImageEncoding::Png);
    EXPECT_EQ(png.max_side, 320);
    EXPECT_EQ(PreprocessConfig::parse("format=webp,quality=80").encoding, ImageEncoding::WebP);
    EXPECT_EQ(PreprocessConfig::parse("resize=50").encoding, ImageEncoding::Original);
}

TEST(PreprocessConfig, OriginalStudyForm) {
    const auto config = PreprocessConfig::parse("BW,0,quality,50%,resize,75%");
    EXPECT_FALSE(config.grayscale);
    EXPECT_EQ(config.quality, 50);
    EXPECT_DOUBLE_EQ(config.resize_percent, 75);
    EXPECT_EQ(config.encoding, ImageEncoding::Jpeg);
    const auto gray = PreprocessConfig::parse("bw,1,Quality,100%,Resize,25%");
    EXPECT_TRUE(gray.grayscale);
    EXPECT_EQ(gray.quality, 100);
    EXPECT_DOUBLE_EQ(gray.resize_percent, 25);
}

TEST(PreprocessConfig, CanonicalTextRoundTrips) {
    for (const char* text : {"", "BW,1,quality,10%,resize,33.3333333%", "format=png,max_side=100", "format=webp,quality=7",
                             "grayscale=0,resize=150"}) {
        const auto config = PreprocessConfig::parse(text);
        EXPECT_EQ(PreprocessConfig::parse(config.to_string()), config) << text << " -> " << config.to_string();
    }
    EXPECT_EQ(PreprocessConfig::parse("quality=50,resize=75").to_string(), "grayscale=0,resize=75,format=jpeg,quality=50");
}

TEST(PreprocessConfig, InvalidSettingsNameTheSetting) {
    EXPECT_EQ(field_of_error("quality=0"), "quality");
    EXPECT_EQ(field_of_error("quality=101"), "quality");
    EXPECT_EQ(field_of_error("quality=50.5"), "quality");
    EXPECT_EQ(field_of_error("resize=0"), "resize");
    EXPECT_EQ(field_of_error("resize=-10"), "resize");
    EXPECT_EQ(field_of_error("resize=abc"), "resize");
    EXPECT_EQ(field_of_error("resize=nan"), "resize");
    EXPECT_EQ(field_of_error("grayscale=maybe"), "grayscale");
    EXPECT_EQ(field_of_error("format=gif"), "format");
    EXPECT_EQ(field_of_error("max_side=-1"), "max_side");
    EXPECT_EQ(field_of_error("colour=1"), "colour");
    EXPECT_EQ(field_of_error("BW,0,quality"), "preprocess");
    EXPECT_EQ(field_of_error("hello world"), "preprocess");
    EXPECT_EQ(field_of_error("quality=50,resize"), "preprocess");
    EXPECT_EQ(field_of_error("BW,0,quality,0%"), "quality");
}

TEST(PreprocessConfig, ValidateCatchesStructsBuiltInCode) {
    PreprocessConfig config;
    config.quality = 0;
    EXPECT_THROW(config.validate(), Error);
    config = {};
    config.resize_percent = 0;
    EXPECT_THROW(config.validate(), Error);
}
