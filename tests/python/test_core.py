"""The foundation seen from Python: types, datasets, the synthetic generator, errors."""

import json
import pickle

import numpy as np
import pytest

import edgebench


def test_package_imports_from_the_installed_location():
    assert edgebench.__version__.count(".") == 2
    # Installed by pip into the environment, not imported from the source tree.
    assert "site-packages" in edgebench._core.__file__


def test_bbox_behaves_like_a_value():
    box = edgebench.BBox(10, 20, 30, 40)
    assert box.area == 1200
    assert box.to_list() == [10, 20, 30, 40]
    assert box == edgebench.BBox.from_corners(10, 20, 40, 60)
    assert box.iou(edgebench.BBox(10, 20, 30, 40)) == 1.0
    assert pickle.loads(pickle.dumps(box)) == box
    assert "BBox(x=10.0" in repr(box)


def test_category_table_and_coco_classes():
    coco = edgebench.CategoryTable.coco()
    assert len(coco) == 80
    assert coco.at(90).name == "toothbrush"
    assert 12 not in coco
    assert [c.id for c in coco][:3] == [1, 2, 3]
    table = edgebench.CategoryTable([edgebench.Category(7, "seven")])
    with pytest.raises(edgebench.Error) as info:
        table.add(edgebench.Category(7, "again"))
    assert "duplicate category id 7" in str(info.value)


def test_synthetic_dataset_is_a_real_coco_dataset(synthetic, tmp_path):
    assert len(synthetic) == 12
    assert synthetic.categories == edgebench.synthetic_categories()
    sample = synthetic[0]
    image = edgebench.read_image(sample)
    assert image.shape == (240, 320, 3) and image.dtype == np.uint8
    data = edgebench.read_image_bytes(sample)
    assert data[:3] == b"\xff\xd8\xff"
    saved = tmp_path / "copy.json"
    synthetic.save(str(saved))
    document = json.loads(saved.read_text())
    assert len(document["images"]) == 12
    assert len(document["annotations"]) == synthetic.annotation_count()


def test_render_is_deterministic():
    options = edgebench.SyntheticDatasetOptions(seed=9)
    image_a, annotations_a = edgebench.render_synthetic_image(options, 4)
    image_b, annotations_b = edgebench.render_synthetic_image(options, 4)
    assert np.array_equal(image_a, image_b)
    assert [a.bbox for a in annotations_a] == [a.bbox for a in annotations_b]


def test_subsets(synthetic):
    assert len(synthetic.first(3)) == 3
    a = [s.id for s in synthetic.random(5, seed=1)]
    assert a == [s.id for s in synthetic.random(5, seed=1)]
    assert a == sorted(a)
    disks = synthetic.with_categories([1])
    assert all(ann.category_id == 1 for s in disks for ann in s.annotations)


def test_errors_carry_the_field_and_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
                               "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]}],
                               "categories": [{"id": 1, "name": "a"}]}))
    with pytest.raises(edgebench.Error) as info:
        edgebench.CocoDataset.load(str(bad))
    error = info.value
    assert isinstance(error, ValueError)
    assert error.field == "annotations[0].image_id"
    assert error.file == str(bad)
    assert "unknown image id 2" in error.message
    with pytest.raises(edgebench.Error, match="file not found"):
        edgebench.CocoDataset.load(str(tmp_path / "missing.json"))
    with pytest.raises(edgebench.Error, match="width"):
        edgebench.SyntheticDatasetOptions(width=3)


def test_missing_image_file_is_reported_on_read(tmp_path):
    (tmp_path / "d.json").write_text(json.dumps({
        "images": [{"id": 1, "file_name": "gone.jpg", "width": 10, "height": 10}], "categories": []}))
    dataset = edgebench.CocoDataset.load(str(tmp_path / "d.json"))
    with pytest.raises(edgebench.Error) as info:
        edgebench.read_image(dataset[0])
    assert info.value.file.endswith("gone.jpg")


def test_real_coco_sample(coco_sample):
    assert len(coco_sample) == 128
    assert coco_sample.annotation_count() == 987
    sample = coco_sample.at(397133)
    assert (sample.width, sample.height) == (640, 427)
    assert sum(a.iscrowd for s in coco_sample for a in s.annotations) == 10
