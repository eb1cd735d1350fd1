#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "edgebench/image_info.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {
cv::Mat gradient(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x % 256, y % 256, (x + y) % 256);
    return image;
}
}  // namespace

TEST(ImageInfo, ReadsJpegPngAndWebpHeaders) {
    const cv::Mat image = gradient(123, 45);
    struct Case {
        const char* extension;
        ImageFormat format;
    };
    for (const Case c : {Case{".jpg", ImageFormat::Jpeg}, Case{".png", ImageFormat::Png}, Case{".webp", ImageFormat::WebP}}) {
        const auto bytes = test::encode_image(image, c.extension);
        const auto info = probe_image(bytes);
        EXPECT_EQ(info.format, c.format) << c.extension;
        EXPECT_EQ(info.width, 123) << c.extension;
        EXPECT_EQ(info.height, 45) << c.extension;
        EXPECT_TRUE(info.complete) << c.extension;
    }
}

TEST(ImageInfo, GrayscaleJpegHasOneChannel) {
    cv::Mat gray(20, 30, CV_8UC1, cv::Scalar(128));
    const auto info = probe_image(test::encode_image(gray, ".jpg"));
    EXPECT_EQ(info.channels, 1);
}

TEST(ImageInfo, TruncatedDataIsIncomplete) {
    const cv::Mat image = gradient(200, 150);
    for (const char* extension : {".jpg", ".png"}) {
        auto bytes = test::encode_image(image, extension);
        bytes.resize(bytes.size() * 2 / 3);
        const auto info = probe_image(bytes);
        EXPECT_FALSE(info.complete) << extension;
    }
}

TEST(ImageInfo, AJpegWithASecondFrameHeaderIsDamaged) {
    // Found by fuzzing: the probe took the last frame header (SOF), decoders take the first. With a large
    // frame followed by a 1x1 one, the pixel limit (checked on the probe's size) would let a
    // decompression bomb through; here a 16x8 image claims to be 1x1.
    auto bytes = test::encode_image(gradient(16, 8), ".jpg");
    ASSERT_EQ(probe_image(bytes).width, 16);
    ASSERT_GE(bytes.size(), 2u);
    bytes.resize(bytes.size() - 2);  // drop EOI
    const std::vector<std::uint8_t> second_frame = {0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x01, 0x00, 0x01, 0x03, 0x01,
                                                    0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xD9};
    bytes.insert(bytes.end(), second_frame.begin(), second_frame.end());
    const auto info = probe_image(bytes);
    EXPECT_EQ(info.format, ImageFormat::Jpeg);
    EXPECT_EQ(info.width, 0);
    EXPECT_EQ(info.height, 0);
    EXPECT_FALSE(info.complete);
}

TEST(ImageInfo, GarbageAndEmptyInputAreUnknown) {
    EXPECT_EQ(probe_image({}).format, ImageFormat::Unknown);
    const std::vector<std::uint8_t> garbage = {'h', 'e', 'l', 'l', 'o', 0, 1, 2, 3};
    EXPECT_EQ(probe_image(garbage).format, ImageFormat::Unknown);
    const std::vector<std::uint8_t> just_magic = {0xFF, 0xD8, 0xFF};
    const auto info = probe_image(just_magic);
    EXPECT_EQ(info.format, ImageFormat::Jpeg);
    EXPECT_EQ(info.width, 0);
    EXPECT_FALSE(info.complete);
}

TEST(ImageInfo, RealCocoImagesAreComplete) {
    const auto json = test::coco_sample_json();
    if (json.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    const auto bytes = [&] {
        const auto text = test::read_text(json.parent_path() / "images" / "000000397133.jpg");
        return std::vector<std::uint8_t>(text.begin(), text.end());
    }();
    const auto info = probe_image(bytes);
    EXPECT_EQ(info.format, ImageFormat::Jpeg);
    EXPECT_EQ(info.width, 640);
    EXPECT_EQ(info.height, 427);
    EXPECT_TRUE(info.complete);
}
