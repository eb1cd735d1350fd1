#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgebench/coco_dataset.hpp"
#include "edgebench/error.hpp"
#include "edgebench/preprocessor.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;

namespace {

cv::Mat textured_image(int width, int height) {
    SyntheticDatasetOptions options;
    options.width = width;
    options.height = height;
    return render_synthetic_image(options, 0).image;
}

std::vector<std::uint8_t> jpeg_bytes(int width = 320, int height = 240, int quality = 95) {
    return test::encode_image(textured_image(width, height), ".jpg", {cv::IMWRITE_JPEG_QUALITY, quality});
}

double mean_abs_difference(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    const auto mean = cv::mean(diff);
    return (mean[0] + mean[1] + mean[2]) / 3.0;
}

}  // namespace

TEST(Preprocessor, IdentityForwardsTheReceivedBytes) {
    const auto bytes = jpeg_bytes();
    const auto result = Preprocessor().process(bytes);
    EXPECT_EQ(result.encoded, bytes);
    EXPECT_EQ(result.format, ImageFormat::Jpeg);
    EXPECT_EQ(result.metrics.bytes_in, bytes.size());
    EXPECT_EQ(result.metrics.bytes_out, bytes.size());
    EXPECT_EQ(result.image.size(), cv::Size(320, 240));
    EXPECT_EQ(result.image.channels(), 3);
    EXPECT_DOUBLE_EQ(result.scale_x, 1.0);
}

TEST(Preprocessor, ResizeScalesEachSideAndExposesTheScale) {
    const auto bytes = jpeg_bytes(320, 240);
    const auto result = Preprocessor(PreprocessConfig::parse("resize=75,quality=90")).process(bytes);
    EXPECT_EQ(result.metrics.width_in, 320);
    EXPECT_EQ(result.metrics.height_in, 240);
    EXPECT_EQ(result.metrics.width_out, 240);
    EXPECT_EQ(result.metrics.height_out, 180);
    EXPECT_EQ(result.image.size(), cv::Size(240, 180));
    EXPECT_DOUBLE_EQ(result.scale_x, 0.75);
    EXPECT_DOUBLE_EQ(result.scale_y, 0.75);
    const auto info = probe_image(result.encoded);
    EXPECT_EQ(info.format, ImageFormat::Jpeg);
    EXPECT_EQ(info.width, 240);
    EXPECT_EQ(info.height, 180);
    // A box in preprocessed pixels maps back to original pixels.
    EXPECT_EQ(result.to_original(BBox{30, 15, 75, 45}), (BBox{40, 20, 100, 60}));
    const auto detections = result.to_original(std::vector<Detection>{{3, BBox{3, 3, 3, 3}, 0.5}});
    EXPECT_EQ(detections[0].bbox, (BBox{4, 4, 4, 4}));
    EXPECT_EQ(detections[0].category_id, 3);
}

TEST(Preprocessor, ScaledDecodingGivesTheExactTargetSizeAndSimilarPixels) {
    const auto bytes = jpeg_bytes(640, 480);
    for (const double percent : {10.0, 12.5, 25.0, 30.0, 50.0, 60.0}) {
        PreprocessConfig config;
        config.resize_percent = percent;
        config.encoding = ImageEncoding::Png;  // lossless output to compare pixels
        const auto result = Preprocessor(config).process(bytes);
        const cv::Size expected(static_cast<int>(std::lround(640 * percent / 100)), static_cast<int>(std::lround(480 * percent / 100)));
        ASSERT_EQ(result.image.size(), expected) << percent;
        // Reference: full decode, then INTER_AREA.
        cv::Mat full = cv::imdecode(bytes, cv::IMREAD_COLOR);
        cv::Mat reference;
        cv::resize(full, reference, expected, 0, 0, cv::INTER_AREA);
        EXPECT_LT(mean_abs_difference(result.image, reference), 4.0) << percent;
    }
}

TEST(Preprocessor, MaxSideLimitsTheLongestSide) {
    const auto result = Preprocessor(PreprocessConfig::parse("max_side=100")).process(jpeg_bytes(320, 240));
    EXPECT_EQ(result.metrics.width_out, 100);
    EXPECT_EQ(result.metrics.height_out, 75);
    // The smaller of the two scales wins.
    const auto both = Preprocessor(PreprocessConfig::parse("max_side=300,resize=50")).process(jpeg_bytes(320, 240));
    EXPECT_EQ(both.metrics.width_out, 160);
}

TEST(Preprocessor, LowerQualityGivesFewerBytesAndMoreError) {
    const auto bytes = jpeg_bytes(320, 240, 100);
    const cv::Mat original = cv::imdecode(bytes, cv::IMREAD_COLOR);
    std::size_t previous_bytes = SIZE_MAX;
    double previous_error = -1;
    for (const int quality : {95, 50, 10}) {
        PreprocessConfig config;
        config.encoding = ImageEncoding::Jpeg;
        config.quality = quality;
        const auto result = Preprocessor(config).process(bytes);
        EXPECT_LT(result.metrics.bytes_out, previous_bytes) << quality;
        const double error = mean_abs_difference(result.image, original);
        EXPECT_GT(error, previous_error) << quality;
        previous_bytes = result.metrics.bytes_out;
        previous_error = error;
    }
}

TEST(Preprocessor, GrayscaleGivesEqualChannelsAndFewerBytes) {
    const auto bytes = jpeg_bytes();
    const auto colour = Preprocessor(PreprocessConfig::parse("quality=80")).process(bytes);
    const auto gray = Preprocessor(PreprocessConfig::parse("grayscale=1,quality=80")).process(bytes);
    EXPECT_LT(gray.metrics.bytes_out, colour.metrics.bytes_out);
    EXPECT_EQ(probe_image(gray.encoded).channels, 1);
    ASSERT_EQ(gray.image.channels(), 3);
    std::vector<cv::Mat> planes;
    cv::split(gray.image, planes);
    EXPECT_EQ(cv::norm(planes[0], planes[1], cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(planes[1], planes[2], cv::NORM_INF), 0.0);
}

TEST(Preprocessor, EncodesPngAndWebp) {
    const auto bytes = jpeg_bytes();
    const auto png = Preprocessor(PreprocessConfig::parse("format=png")).process(bytes);
    EXPECT_EQ(probe_image(png.encoded).format, ImageFormat::Png);
    const auto webp = Preprocessor(PreprocessConfig::parse("format=webp,quality=60")).process(bytes);
    EXPECT_EQ(probe_image(webp.encoded).format, ImageFormat::WebP);
    EXPECT_EQ(webp.image.size(), cv::Size(320, 240));
    // Original format with a pixel change re-encodes in the input's format.
    const auto resized = Preprocessor(PreprocessConfig::parse("resize=50")).process(png.encoded);
    EXPECT_EQ(resized.format, ImageFormat::Png);
}

TEST(Preprocessor, WithoutImageSkipsTheOutputDecode) {
    const auto result = Preprocessor(PreprocessConfig::parse("quality=50")).process(jpeg_bytes(), false);
    EXPECT_TRUE(result.image.empty());
    EXPECT_EQ(result.metrics.output_decode_ms, 0.0);
    EXPECT_GT(result.metrics.bytes_out, 0u);
}

TEST(Preprocessor, AcceptsDecodedImages) {
    const cv::Mat image = textured_image(200, 100);
    const auto result = Preprocessor(PreprocessConfig::parse("resize=50,quality=70")).process(image);
    EXPECT_EQ(result.metrics.bytes_in, 0u);
    EXPECT_EQ(result.image.size(), cv::Size(100, 50));
    cv::Mat gray;
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
    EXPECT_EQ(Preprocessor().process(gray).image.channels(), 3);
    EXPECT_THROW((void)Preprocessor().process(cv::Mat()), Error);
    EXPECT_THROW((void)Preprocessor().process(cv::Mat(10, 10, CV_32FC3)), Error);
}

TEST(Preprocessor, CorruptTruncatedAndOversizedInputRaiseErrors) {
    const Preprocessor preprocessor(PreprocessConfig::parse("quality=50"));
    EXPECT_THROW((void)preprocessor.process(std::vector<std::uint8_t>{}), Error);
    const std::vector<std::uint8_t> garbage(1000, 0x42);
    EXPECT_THROW((void)preprocessor.process(garbage), Error);

    for (const char* extension : {".jpg", ".png"}) {
        auto bytes = test::encode_image(textured_image(320, 240), extension);
        for (const double keep : {0.1, 0.5, 0.9, 0.999}) {
            std::vector<std::uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() * keep));
            EXPECT_THROW((void)preprocessor.process(truncated), Error) << extension << " " << keep;
            EXPECT_THROW((void)Preprocessor().process(truncated), Error) << extension << " " << keep;
        }
    }
    // Scrambled entropy data with intact markers must not crash.
    auto scrambled = jpeg_bytes();
    for (std::size_t i = scrambled.size() / 2; i < scrambled.size() - 2; i += 7) scrambled[i] = 0x00;
    try {
        (void)preprocessor.process(scrambled);
    } catch (const Error&) {
    }

    PreprocessLimits limits;
    limits.max_pixels = 320 * 240 - 1;
    try {
        (void)Preprocessor({}, limits).process(jpeg_bytes(320, 240));
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(error.message().find("exceeds"), std::string::npos);
    }
}

TEST(Preprocessor, RefusesADecompressionBombFromItsHeader) {
    // A PNG header claiming 50000 x 50000 pixels (2.5 G) is refused before any pixel is allocated.
    auto bytes = test::encode_image(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".png");
    auto put32 = [&](std::size_t at, std::uint32_t value) {
        for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<std::uint8_t>(value >> (24 - 8 * k));
    };
    put32(16, 50000);
    put32(20, 50000);
    try {
        (void)Preprocessor().process(bytes);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(error.message().find("50000x50000"), std::string::npos) << error.what();
    }
}

TEST(Preprocessor, RealCocoImages) {
    const auto json = test::coco_sample_json();
    if (json.empty()) GTEST_SKIP() << "../shared/data/coco-sample is not present";
    const auto dataset = CocoDataset::load(json).first(10);
    const Preprocessor preprocessor(PreprocessConfig::parse("BW,0,quality,50%,resize,75%"));
    for (const auto& sample : dataset) {
        const auto bytes = read_image_bytes(sample);
        const auto result = preprocessor.process(bytes);
        EXPECT_EQ(result.metrics.width_out, static_cast<int>(std::lround(sample.width * 0.75)));
        EXPECT_LT(result.metrics.bytes_out, result.metrics.bytes_in) << sample.file_name;
        EXPECT_GT(result.metrics.decode_ms, 0.0);
        EXPECT_GT(result.metrics.encode_ms, 0.0);
    }
}
