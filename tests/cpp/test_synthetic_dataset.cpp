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
