"""Preprocessor and PreprocessConfig from Python, on real JPEG bytes and numpy images."""

import numpy as np
import pytest

import edgebench


def jpeg_of(dataset, index=0):
    return edgebench.read_image_bytes(dataset[index])


def test_config_forms_agree():
    structured = edgebench.PreprocessConfig.parse("grayscale=0,resize=75,quality=50")
    study = edgebench.PreprocessConfig.parse("BW,0,quality,50%,resize,75%")
    kwargs = edgebench.PreprocessConfig(resize=75, quality=50)
    assert structured == study == kwargs
    assert str(kwargs) == "grayscale=0,resize=75,format=jpeg,quality=50"
    assert edgebench.PreprocessConfig().encoding == edgebench.ImageEncoding.ORIGINAL


@pytest.mark.parametrize("text,field", [("quality=0", "quality"), ("quality=101", "quality"),
                                        ("resize=0", "resize"), ("resize=-5", "resize"),
                                        ("sharpen=1", "sharpen"), ("garbage", "preprocess")])
def test_invalid_settings_name_the_setting(text, field):
    with pytest.raises(edgebench.Error) as info:
        edgebench.PreprocessConfig.parse(text)
    assert info.value.field == field


def test_kwargs_validation():
    with pytest.raises(edgebench.Error, match="quality"):
        edgebench.PreprocessConfig(quality=0)
    with pytest.raises(edgebench.Error, match="format"):
        edgebench.PreprocessConfig(format="gif")
    with pytest.raises(edgebench.Error, match="quality"):
        edgebench.Preprocessor(quality=200)


def test_process_bytes(synthetic):
    data = jpeg_of(synthetic)
    result = edgebench.Preprocessor("quality=50,resize=75").process(data)
    assert result.image.shape == (180, 240, 3)
    assert result.metrics.bytes_in == len(data)
    assert result.metrics.bytes_out == len(result.encoded) < len(data)
    assert result.scale_x == pytest.approx(0.75)
    info = edgebench.probe_image(result.encoded)
    assert (info.format, info.width, info.height) == (edgebench.ImageFormat.JPEG, 240, 180)
    box = result.to_original(edgebench.BBox(30, 30, 75, 75))
    assert box == edgebench.BBox(40, 40, 100, 100)
    assert set(result.metrics.to_dict()) >= {"bytes_in", "bytes_out", "decode_ms", "encode_ms"}


def test_process_accepts_bytearray_memoryview_and_arrays(synthetic):
    data = jpeg_of(synthetic)
    p = edgebench.Preprocessor(grayscale=True, quality=80)
    for variant in (bytearray(data), memoryview(data), np.frombuffer(data, dtype=np.uint8)):
        assert p.process(variant).metrics.bytes_in == len(data)
    image = edgebench.read_image(synthetic[0])
    result = p.process(image)
    assert result.metrics.bytes_in == 0
    assert np.array_equal(result.image[..., 0], result.image[..., 2])
    assert p.process(data, want_image=False).image is None


def test_bad_images_raise_python_errors(synthetic):
    p = edgebench.Preprocessor("quality=50")
    data = jpeg_of(synthetic)
    for bad in (b"", b"not an image at all", data[: len(data) // 2]):
        with pytest.raises(edgebench.Error):
            p.process(bad)
    with pytest.raises(TypeError):
        p.process(12345)
    with pytest.raises(ValueError):
        p.process(np.zeros((4, 4, 2), dtype=np.uint8))
    with pytest.raises(ValueError):
        p.process(np.zeros((4, 4, 3), dtype=np.float32))


def test_quality_trades_bytes_for_fidelity(coco_sample):
    data = edgebench.read_image_bytes(coco_sample[0])
    original = edgebench.Preprocessor().process(data).image.astype(np.int16)
    sizes, errors = [], []
    for quality in (90, 50, 10):
        result = edgebench.Preprocessor(quality=quality).process(data)
        sizes.append(result.metrics.bytes_out)
        errors.append(np.abs(result.image.astype(np.int16) - original).mean())
    assert sizes[0] > sizes[1] > sizes[2]
    assert errors[0] < errors[1] < errors[2]
