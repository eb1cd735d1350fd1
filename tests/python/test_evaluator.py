"""The evaluator from Python: agreement with an independent COCO implementation on random cases with
every corner (crowds, ties, empty images, one-sided classes, area boundaries, >100 detections), the
evaluate() API in all its input forms, the CLI, and bad input."""

import json
import random
import subprocess

import numpy as np
import pytest

import coco_reference
import edgebench


def random_case(seed):
    rng = random.Random(seed)
    categories = [{"id": c, "name": f"c{c}"} for c in rng.sample(range(1, 30), rng.randint(1, 5))]
    category_ids = [c["id"] for c in categories]
    images, annotations, results = [], [], []
    next_id = rng.choice([0, 1])  # sometimes an annotation id 0, which pycocotools treats specially
    for image_id in rng.sample(range(1, 1000), rng.randint(1, 12)):
        images.append({"id": image_id, "file_name": f"{image_id}.jpg", "width": 640, "height": 480})
        truths = []
        for _ in range(rng.choice([0, 0, 1, 2, 3, 6])):
            w, h = rng.choice([4, 8, 16, 32, 40, 64, 96, 128, 200]), rng.choice([4, 8, 16, 32, 48, 96, 128])
            box = [rng.randrange(0, 400, 4), rng.randrange(0, 300, 4), w, h]
            crowd = rng.random() < 0.12
            area = rng.choice([w * h, w * h, 1024, 9216, w * h * 0.7])
            truths.append(box)
            annotations.append({"id": next_id, "image_id": image_id, "category_id": rng.choice(category_ids),
                                "bbox": box, "area": area, "iscrowd": int(crowd)})
            next_id += 1
        detection_count = rng.choice([0, 1, 3, 8, 20, 130])
        for _ in range(detection_count):
            if truths and rng.random() < 0.6:
                x, y, w, h = rng.choice(truths)
                box = [x + rng.choice([0, 0, 2, -2, 4, 8]), y + rng.choice([0, 0, 2, -4, 6]),
                       max(0, w + rng.choice([0, 0, -2, 4, 8, -w // 2])), max(0, h + rng.choice([0, 0, 4, -2]))]
            else:
                box = [rng.randrange(0, 500, 2), rng.randrange(0, 400, 2), rng.choice([0, 2, 10, 33, 90]),
                       rng.choice([2, 10, 40, 120])]
            score = rng.choice([0.1, 0.5, 0.5, 0.75, 0.9, round(rng.random(), 3)])
            results.append({"image_id": image_id, "category_id": rng.choice(category_ids), "bbox": box,
                            "score": score})
    coco = {"images": images, "annotations": annotations, "categories": categories}
    return coco, results


@pytest.mark.parametrize("seed", range(60))
def test_matches_an_independent_coco_implementation(seed):
    coco, results = random_case(seed)
    expected_stats, expected_per_category = coco_reference.evaluate(coco, results)
    got = edgebench.evaluate(coco, results)
    np.testing.assert_allclose(got["stats"], expected_stats, rtol=0, atol=1e-12)
    for category_id, (ap, ap50) in expected_per_category.items():
        entry = got["per_category"][str(category_id)]
        assert entry["ap"] == pytest.approx(ap, abs=1e-12)
        assert entry["ap50"] == pytest.approx(ap50, abs=1e-12)


def test_real_detections_on_the_coco_sample(coco_sample, tmp_path):
    # Ground-truth boxes jittered and rescored: a realistic results file over real annotations.
    rng = random.Random(7)
    results = []
    for sample in coco_sample:
        for annotation in sample.annotations:
            if rng.random() < 0.3:
                continue
            x, y, w, h = annotation.bbox.to_list()
            results.append({"image_id": sample.id, "category_id": annotation.category_id,
                            "bbox": [x + rng.uniform(-5, 5), y + rng.uniform(-5, 5), w * rng.uniform(0.8, 1.2),
                                     h * rng.uniform(0.8, 1.2)], "score": rng.random()})
    instances = json.loads(coco_sample.to_json())
    expected_stats, _ = coco_reference.evaluate(instances, results)
    got = edgebench.evaluate(coco_sample, results)
    np.testing.assert_allclose(got["stats"], expected_stats, rtol=0, atol=1e-12)
    assert 0.2 < got["stats"][0] < 0.9


def test_input_forms_agree(tmp_path):
    coco, results = random_case(3)
    (tmp_path / "gt.json").write_text(json.dumps(coco))
    (tmp_path / "dt.json").write_text(json.dumps(results))
    from_paths = edgebench.evaluate(tmp_path / "gt.json", str(tmp_path / "dt.json"))
    from_objects = edgebench.evaluate(coco, results)
    dataset = edgebench.CocoDataset.load(str(tmp_path / "gt.json"))
    by_image = edgebench.load_coco_results(str(tmp_path / "dt.json"), dataset)
    from_core = edgebench.evaluate(dataset, by_image)
    assert from_paths == from_objects == from_core


def test_documented_structure_and_dataframe():
    coco, results = random_case(11)
    result = edgebench.evaluate(coco, results, iou_threshold=0.5, score_threshold=0.3)
    assert len(result["stats"]) == 12
    assert set(result["operating_point"]) >= {"micro", "macro", "weighted"}
    some = next(iter(result["per_category"].values()))
    assert set(some) >= {"ap", "ap50", "recall", "tp", "fp", "fn", "precision", "f1", "support"}
    assert "best_f1_threshold" in result
    table = edgebench.per_class_table(result)
    assert list(table["support"]) == sorted(table["support"], reverse=True)
    assert table["tp"].dtype == np.int64
    assert set(table["category_id"]) == {c["id"] for c in coco["categories"]}


def test_incremental_evaluator_and_per_image_scores():
    categories = edgebench.CategoryTable([edgebench.Category(1, "a")])
    evaluator = edgebench.Evaluator(categories, score_threshold=0.5)
    truth = [edgebench.Annotation(1, edgebench.BBox(0, 0, 10, 10), id=1)]
    metrics = evaluator.add(7, truth, [edgebench.Detection(1, edgebench.BBox(0, 0, 10, 10), 0.9)])
    assert (metrics.tp, metrics.fp, metrics.fn, metrics.f1) == (1, 0, 0, 1.0)
    result = evaluator.summarize()
    assert result.stats[0] == pytest.approx(1.0)
    assert result.per_category[0].counts.tp == 1
    assert "Average Precision" in str(result)
    assert edgebench.score_image(truth, []).fn == 1
    with pytest.raises(edgebench.Error, match="already added"):
        evaluator.add(7, truth, [])


def test_bad_input_names_the_entry():
    coco, _ = random_case(5)
    image_id = coco["images"][0]["id"]
    category_id = coco["categories"][0]["id"]
    good = {"image_id": image_id, "category_id": category_id, "bbox": [0, 0, 1, 1], "score": 0.5}
    with pytest.raises(edgebench.Error) as info:
        edgebench.evaluate(coco, [good, dict(good, image_id=123456)])
    assert info.value.field == "[1].image_id"
    with pytest.raises(edgebench.Error) as info:
        edgebench.evaluate(coco, [dict(good, category_id=999)])
    assert info.value.field == "[0].category_id"
    with pytest.raises(edgebench.Error) as info:
        edgebench.evaluate(coco, [dict(good, bbox=[0, 0, -1, 1])])
    assert info.value.field == "[0].bbox"
    with pytest.raises(edgebench.Error):
        edgebench.evaluate(coco, [dict(good, score=float("nan"))])
    with pytest.raises(edgebench.Error, match="iou_threshold"):
        edgebench.evaluate(coco, [], iou_threshold=0)
    with pytest.raises(TypeError):
        edgebench.evaluate(coco, 42)


def test_eval_cli(cli, tmp_path):
    coco, results = random_case(21)
    (tmp_path / "gt.json").write_text(json.dumps(coco))
    (tmp_path / "dt.json").write_text(json.dumps(results))
    out = tmp_path / "out.json"
    run = subprocess.run([cli, "eval", "--gt", str(tmp_path / "gt.json"), "--dt", str(tmp_path / "dt.json"),
                          "--iou", "0.5", "--score", "0.4", "--json", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]" in run.stdout
    written = json.loads(out.read_text())
    expected = edgebench.evaluate(coco, results, iou_threshold=0.5, score_threshold=0.4)
    assert written == expected
    bad = subprocess.run([cli, "eval", "--gt", str(tmp_path / "gt.json"), "--dt", str(tmp_path / "nope.json")],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "nope.json: file not found" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
