#include <gtest/gtest.h>

#include "edgebench/types.hpp"

using edgebench::BBox;

TEST(BBox, AreaAndCorners) {
    const BBox box{10, 20, 30, 40};
    EXPECT_DOUBLE_EQ(box.area(), 1200);
    EXPECT_DOUBLE_EQ(box.right(), 40);
    EXPECT_DOUBLE_EQ(box.bottom(), 60);
    EXPECT_EQ(BBox::from_corners(10, 20, 40, 60), box);
}

TEST(BBox, IouOfOverlappingBoxes) {
    const BBox a{0, 0, 10, 10};
    const BBox b{5, 0, 10, 10};
    // intersection 50, union 150
    EXPECT_NEAR(a.iou(b), 50.0 / 150.0, 1e-12);
    EXPECT_NEAR(b.iou(a), 50.0 / 150.0, 1e-12);
    EXPECT_DOUBLE_EQ(a.iou(a), 1.0);
}

TEST(BBox, IouOfDisjointTouchingAndEmptyBoxes) {
    EXPECT_EQ(BBox({0, 0, 10, 10}).iou(BBox{20, 20, 5, 5}), 0.0);
    EXPECT_EQ(BBox({0, 0, 10, 10}).iou(BBox{10, 0, 5, 5}), 0.0);  // shares an edge only
    EXPECT_EQ(BBox({0, 0, 0, 0}).iou(BBox{0, 0, 0, 0}), 0.0);
}

TEST(BBox, ClippedStaysInsideTheImage) {
    EXPECT_EQ(BBox({-5, -5, 20, 20}).clipped(100, 100), (BBox{0, 0, 15, 15}));
    EXPECT_EQ(BBox({90, 95, 20, 20}).clipped(100, 100), (BBox{90, 95, 10, 5}));
    const BBox outside = BBox{150, 150, 10, 10}.clipped(100, 100);
    EXPECT_EQ(outside.width, 0);
    EXPECT_EQ(outside.height, 0);
}
