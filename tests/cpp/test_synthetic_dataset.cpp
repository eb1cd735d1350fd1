#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "test_support.hpp"

using namespace edgebench;

TEST(SyntheticDataset, IsDeterministicForASeed) {
    SyntheticDatasetOptions options;
    const auto a = render_synthetic_image(options, 3);
    const auto b = render_synthetic_image(options, 3);
    EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
    ASSERT_EQ(a.annotations.size(), b.annotations.size());
    for (std::size_t i = 0; i < a.annotations.size(); ++i) EXPECT_EQ(a.annotations[i].bbox, b.annotations[i].bbox);

    options.seed = 7;
    const auto c = render_synthetic_image(options, 3);
    EXPECT_GT(cv::norm(a.image, c.image, cv::NORM_L1), 0.0);
}

TEST(SyntheticDataset, CoversEveryClassAndEveryCocoSizeRange) {
    SyntheticDatasetOptions options;
    std::array<int, 6> per_class{};
    int small = 0, medium = 0, large = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        const auto rendered = render_synthetic_image(options, i);
        EXPECT_EQ(rendered.image.size(), cv::Size(options.width, options.height));
        EXPECT_LE(static_cast<int>(rendered.annotations.size()), options.max_objects);
        for (const auto& a : rendered.annotations) {
            ASSERT_TRUE(synthetic_categories().contains(a.category_id));
            ++per_class[static_cast<std::size_t>(a.category_id)];
            EXPECT_GT(a.area, 0);
            EXPECT_LE(a.area, a.bbox.area());
            EXPECT_GE(a.bbox.x, 0);
            EXPECT_GE(a.bbox.y, 0);
            EXPECT_LE(a.bbox.right(), options.width);
            EXPECT_LE(a.bbox.bottom(), options.height);
            if (a.area < 32 * 32) ++small;
            else if (a.area < 96 * 96) ++medium;
            else ++large;
        }
    }
    for (int k = 1; k <= 5; ++k) EXPECT_GT(per_class[static_cast<std::size_t>(k)], 50) << "class " << k;
    EXPECT_GT(small, 100);
    EXPECT_GT(medium, 100);
    EXPECT_GT(large, 20);
}

TEST(SyntheticDataset, BoxesAreTightAroundVisibleObjects) {
    // Inside each box the pixels differ from the background; the box is not empty space.
    SyntheticDatasetOptions options;
    const auto rendered = render_synthetic_image(options, 11);
    ASSERT_FALSE(rendered.annotations.empty());
    cv::Mat gray;
    cv::cvtColor(rendered.image, gray, cv::COLOR_BGR2GRAY);
    for (const auto& a : rendered.annotations) {
        const cv::Rect box(static_cast<int>(a.bbox.x), static_cast<int>(a.bbox.y), static_cast<int>(a.bbox.width),
                           static_cast<int>(a.bbox.height));
        cv::Scalar mean, stddev;
        cv::meanStdDev(gray(box), mean, stddev);
        EXPECT_GT(stddev[0], 5.0) << "object " << a.id;
    }
}

// The dataset exists to show what compression and grayscale cost, so some objects must stand out by
// colour alone (JPEG keeps little of it at low quality; grayscale none) and others by a strong contrast.
// Measured on disks and squares, whose centre is theirs: the centre's luminance and colour against a
// frame just outside the box.
TEST(SyntheticDataset, SomeObjectsStandOutByColourAloneOthersByStrongContrast) {
    SyntheticDatasetOptions options;
    options.seed = 31;
    int measured = 0;
    int colour_only = 0;
    int strong = 0;
    for (std::size_t i = 0; i < 60; ++i) {
        const auto rendered = render_synthetic_image(options, i);
        const cv::Rect image_rect(0, 0, rendered.image.cols, rendered.image.rows);
        for (const auto& annotation : rendered.annotations) {
            if (annotation.category_id != 1 && annotation.category_id != 2) continue;
            const cv::Rect box(static_cast<int>(annotation.bbox.x), static_cast<int>(annotation.bbox.y),
                               static_cast<int>(annotation.bbox.width), static_cast<int>(annotation.bbox.height));
            const cv::Rect outer = cv::Rect(box.x - 3, box.y - 3, box.width + 6, box.height + 6) & image_rect;
            if (box.width < 12 || outer.area() == box.area()) continue;
            const cv::Rect centre(box.x + box.width / 2 - 1, box.y + box.height / 2 - 1, 3, 3);
            cv::Mat frame_mask(rendered.image.size(), CV_8UC1, cv::Scalar(0));
            frame_mask(outer).setTo(255);
            frame_mask(box).setTo(0);
            const cv::Scalar inside = cv::mean(rendered.image(centre));
            const cv::Scalar around = cv::mean(rendered.image, frame_mask);
            const auto luminance = [](const cv::Scalar& bgr) { return 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2]; };
            const double luminance_step = std::abs(luminance(inside) - luminance(around));
            const double colour_step = cv::norm(inside - around);
            ++measured;
            if (luminance_step < 12 && colour_step > 40) ++colour_only;
            if (luminance_step >= 45) ++strong;
        }
    }
    ASSERT_GT(measured, 60);
    EXPECT_GT(colour_only, measured / 8) << colour_only << " of " << measured;
    EXPECT_GT(strong, measured / 4) << strong << " of " << measured;
}

TEST(SyntheticDataset, WritesJpegFilesAndCocoJson) {
    test::TempDir dir;
    SyntheticDatasetOptions options;
    options.image_count = 5;
    options.first_image_id = 1000;
    const auto dataset = generate_synthetic_dataset(options, dir.path());
    ASSERT_EQ(dataset.size(), 5u);
    EXPECT_EQ(dataset[0].id, 1000);
    EXPECT_EQ(dataset.categories(), synthetic_categories());
    for (const auto& sample : dataset) {
        const auto image = read_image(sample);
        EXPECT_EQ(image.cols, options.width);
        EXPECT_EQ(image.rows, options.height);
    }
    const auto reloaded = CocoDataset::load(dir / "instances.json");
    EXPECT_EQ(reloaded.annotation_count(), dataset.annotation_count());
}

TEST(SyntheticDataset, InvalidOptionsNameTheOption) {
    SyntheticDatasetOptions options;
    options.width = 10;
    try {
        (void)render_synthetic_image(options, 0);
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.field(), "width");
    }
    options = {};
    options.max_objects = 0;
    options.min_objects = 2;
    EXPECT_THROW((void)render_synthetic_image(options, 0), Error);
}
