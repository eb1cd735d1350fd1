// Data types, the category table, COCO datasets and the synthetic generator.

#include <pybind11/operators.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "edgebench/category_table.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/image_info.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "edgebench/types.hpp"
#include "ndarray.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

std::string repr(const BBox& b) {
    return "BBox(x=" + py::repr(py::float_(b.x)).cast<std::string>() + ", y=" + py::repr(py::float_(b.y)).cast<std::string>() +
           ", width=" + py::repr(py::float_(b.width)).cast<std::string>() +
           ", height=" + py::repr(py::float_(b.height)).cast<std::string>() + ")";
}

void bind_types(py::module_& m) {
    py::class_<BBox>(m, "BBox", "An axis-aligned box in COCO's [x, y, width, height] form, in pixels.")
        .def(py::init<>())
        .def(py::init([](double x, double y, double width, double height) { return BBox{x, y, width, height}; }),
             "x"_a, "y"_a, "width"_a, "height"_a)
        .def_readwrite("x", &BBox::x)
        .def_readwrite("y", &BBox::y)
        .def_readwrite("width", &BBox::width)
        .def_readwrite("height", &BBox::height)
        .def_property_readonly("area", &BBox::area)
        .def_property_readonly("right", &BBox::right)
        .def_property_readonly("bottom", &BBox::bottom)
        .def_static("from_corners", &BBox::from_corners, "x1"_a, "y1"_a, "x2"_a, "y2"_a,
                    "A box from corner coordinates (x1, y1)-(x2, y2).")
        .def("iou", &BBox::iou, "other"_a, "Intersection over union with another box.")
        .def("clipped", &BBox::clipped, "image_width"_a, "image_height"_a, "The box clipped to the image.")
        .def("to_list", [](const BBox& b) { return std::vector<double>{b.x, b.y, b.width, b.height}; },
             "[x, y, width, height] as COCO writes it.")
        .def(py::self == py::self)
        .def("__repr__", [](const BBox& b) { return repr(b); })
        .def(py::pickle([](const BBox& b) { return py::make_tuple(b.x, b.y, b.width, b.height); },
                        [](const py::tuple& t) {
                            return BBox{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(), t[3].cast<double>()};
                        }));

    py::class_<Annotation>(m, "Annotation", "A ground-truth object; `area` is COCO's (segmentation) area.")
        .def(py::init<>())
        .def(py::init([](Id category_id, const BBox& bbox, std::optional<double> area, bool iscrowd, Id id, Id image_id) {
                 return Annotation{id, image_id, category_id, bbox, area.value_or(bbox.area()), iscrowd, {}};
             }),
             "category_id"_a, "bbox"_a, "area"_a = py::none(), "iscrowd"_a = false, "id"_a = 0, "image_id"_a = 0)
        .def_readwrite("id", &Annotation::id)
        .def_readwrite("image_id", &Annotation::image_id)
        .def_readwrite("category_id", &Annotation::category_id)
        .def_readwrite("bbox", &Annotation::bbox)
        .def_readwrite("area", &Annotation::area)
        .def_readwrite("iscrowd", &Annotation::iscrowd)
        .def_readwrite("extra_json", &Annotation::extra_json)
        .def("__repr__", [](const Annotation& a) {
            return "Annotation(id=" + std::to_string(a.id) + ", image_id=" + std::to_string(a.image_id) +
                   ", category_id=" + std::to_string(a.category_id) + ", bbox=" + repr(a.bbox) +
                   ", iscrowd=" + (a.iscrowd ? "True" : "False") + ")";
        });

    py::class_<Detection>(m, "Detection", "A detected object in original-image pixels.")
        .def(py::init<>())
        .def(py::init([](Id category_id, const BBox& bbox, double score) { return Detection{category_id, bbox, score}; }),
             "category_id"_a, "bbox"_a, "score"_a)
        .def_readwrite("category_id", &Detection::category_id)
        .def_readwrite("bbox", &Detection::bbox)
        .def_readwrite("score", &Detection::score)
        .def(py::self == py::self)
        .def("__repr__", [](const Detection& d) {
            return "Detection(category_id=" + std::to_string(d.category_id) + ", bbox=" + repr(d.bbox) +
                   ", score=" + py::repr(py::float_(d.score)).cast<std::string>() + ")";
        });

    py::class_<Category>(m, "Category", "An object class.")
        .def(py::init([](Id id, std::string name, std::string supercategory) {
                 return Category{id, std::move(name), std::move(supercategory)};
             }),
             "id"_a, "name"_a, "supercategory"_a = "")
        .def_readwrite("id", &Category::id)
        .def_readwrite("name", &Category::name)
        .def_readwrite("supercategory", &Category::supercategory)
        .def(py::self == py::self)
        .def("__repr__", [](const Category& c) {
            return "Category(id=" + std::to_string(c.id) + ", name='" + c.name + "')";
        });

    py::class_<ImageSample>(m, "ImageSample", "An image of a dataset with its ground truth.")
        .def(py::init<>())
        .def_readwrite("id", &ImageSample::id)
        .def_readwrite("file_name", &ImageSample::file_name)
        .def_readwrite("path", &ImageSample::path)
        .def_readwrite("width", &ImageSample::width)
        .def_readwrite("height", &ImageSample::height)
        .def_readwrite("annotations", &ImageSample::annotations)
        .def_readwrite("extra_json", &ImageSample::extra_json)
        .def("__repr__", [](const ImageSample& s) {
            return "ImageSample(id=" + std::to_string(s.id) + ", file_name='" + s.file_name + "', " +
                   std::to_string(s.width) + "x" + std::to_string(s.height) + ", " +
                   std::to_string(s.annotations.size()) + " annotations)";
        });

    py::enum_<ImageFormat>(m, "ImageFormat")
        .value("UNKNOWN", ImageFormat::Unknown)
        .value("JPEG", ImageFormat::Jpeg)
        .value("PNG", ImageFormat::Png)
        .value("WEBP", ImageFormat::WebP);
    py::class_<ImageInfo>(m, "ImageInfo", "Format and size of an encoded image, read from its header.")
        .def_readonly("format", &ImageInfo::format)
        .def_readonly("width", &ImageInfo::width)
        .def_readonly("height", &ImageInfo::height)
        .def_readonly("channels", &ImageInfo::channels)
        .def_readonly("complete", &ImageInfo::complete)
        .def("__repr__", [](const ImageInfo& i) {
            return "ImageInfo(format=" + to_string(i.format) + ", " + std::to_string(i.width) + "x" +
                   std::to_string(i.height) + ", channels=" + std::to_string(i.channels) +
                   ", complete=" + (i.complete ? "True" : "False") + ")";
        });
    m.def("probe_image", [](const py::object& data) { return probe_image(ByteView(data).span()); }, "data"_a,
          "Format, size and completeness of encoded image bytes, without decoding them.");
}

void bind_categories(py::module_& m) {
    py::class_<CategoryTable>(m, "CategoryTable", "Object classes in a fixed order, looked up by COCO category id.")
        .def(py::init<>())
        .def(py::init<std::vector<Category>>(), "categories"_a)
        .def_static("coco", &CategoryTable::coco, py::return_value_policy::copy,
                    "The 80 COCO detection categories with their official ids.")
        .def("add", &CategoryTable::add, "category"_a)
        .def("__len__", &CategoryTable::size)
        .def("__contains__", &CategoryTable::contains, "id"_a)
        .def("index_of", &CategoryTable::index_of, "id"_a)
        .def("at", &CategoryTable::at, "id"_a, py::return_value_policy::copy)
        .def("find_by_name", &CategoryTable::find_by_name, "name"_a)
        .def("ids", &CategoryTable::ids)
        .def("__getitem__", [](const CategoryTable& t, std::size_t i) {
            if (i >= t.size()) throw py::index_error();
            return t[i];
        })
        .def("__iter__", [](const CategoryTable& t) { return py::make_iterator(t.begin(), t.end()); },
             py::keep_alive<0, 1>())
        .def(py::self == py::self)
        .def("__repr__", [](const CategoryTable& t) { return "CategoryTable(" + std::to_string(t.size()) + " categories)"; });
}

void bind_dataset(py::module_& m) {
    py::class_<CocoDataset>(m, "CocoDataset", R"doc(A COCO instances dataset: categories and images with their ground truth.

Loading checks every field; errors name the file and the JSON path of the bad field. Image files are
opened only when read.)doc")
        .def(py::init<>())
        .def_static("load", &CocoDataset::load, "instances_json"_a, "image_dir"_a = py::none(),
                    py::call_guard<py::gil_scoped_release>(),
                    "Load a COCO instances JSON; images are looked up in image_dir, else images/ beside the JSON, "
                    "else the JSON's folder.")
        .def_static("parse", &CocoDataset::parse, "json_text"_a, "image_dir"_a, "source"_a = "<memory>",
                    py::call_guard<py::gil_scoped_release>(), "Parse COCO instances JSON text.")
        .def("save", &CocoDataset::save, "instances_json"_a, py::call_guard<py::gil_scoped_release>(),
             "Write the dataset as COCO instances JSON.")
        .def("to_json", &CocoDataset::to_json, "indent"_a = -1)
        .def("__len__", &CocoDataset::size)
        .def("__getitem__", [](const CocoDataset& d, std::ptrdiff_t i) {
            const auto size = static_cast<std::ptrdiff_t>(d.size());
            if (i < 0) i += size;
            if (i < 0 || i >= size) throw py::index_error();
            return d[static_cast<std::size_t>(i)];
        })
        .def("__iter__", [](const CocoDataset& d) { return py::make_iterator(d.begin(), d.end()); },
             py::keep_alive<0, 1>())
        .def("find", [](const CocoDataset& d, Id id) -> std::optional<ImageSample> {
            if (const auto* s = d.find(id)) return *s;
            return std::nullopt;
        }, "image_id"_a, "The sample with image_id, or None.")
        .def("at", &CocoDataset::at, "image_id"_a, py::return_value_policy::copy)
        .def_property_readonly("categories", &CocoDataset::categories, py::return_value_policy::copy)
        .def_property_readonly("image_dir", &CocoDataset::image_dir)
        .def_property_readonly("samples", &CocoDataset::samples, py::return_value_policy::copy)
        .def("annotation_count", &CocoDataset::annotation_count)
        .def("first", &CocoDataset::first, "count"_a)
        .def("random", &CocoDataset::random, "count"_a, "seed"_a,
             "count images drawn without replacement, the same on every platform for a seed.")
        .def("with_categories", &CocoDataset::with_categories, "category_ids"_a)
        .def("__repr__", [](const CocoDataset& d) {
            return "CocoDataset(" + std::to_string(d.size()) + " images, " + std::to_string(d.annotation_count()) +
                   " annotations, " + std::to_string(d.categories().size()) + " categories)";
        });

    m.def("read_image_bytes", [](const ImageSample& s) {
              std::vector<std::uint8_t> data;
              {
                  py::gil_scoped_release release;
                  data = read_image_bytes(s);
              }
              return to_bytes(data);
          }, "sample"_a,
          "The encoded bytes of a sample's image file.");
    m.def("read_image", [](const ImageSample& s) {
              cv::Mat image;
              {
                  py::gil_scoped_release release;
                  image = read_image(s);
              }
              return to_ndarray(image);
          }, "sample"_a,
          "The sample's image as a BGR uint8 array of shape (H, W, 3).");
}

void bind_synthetic(py::module_& m) {
    py::class_<SyntheticDatasetOptions>(m, "SyntheticDatasetOptions", "Settings of the built-in synthetic dataset.")
        .def(py::init([](std::size_t image_count, int width, int height, std::uint64_t seed, int min_objects,
                         int max_objects, int jpeg_quality, Id first_image_id) {
                 SyntheticDatasetOptions o;
                 o.image_count = image_count;
                 o.width = width;
                 o.height = height;
                 o.seed = seed;
                 o.min_objects = min_objects;
                 o.max_objects = max_objects;
                 o.jpeg_quality = jpeg_quality;
                 o.first_image_id = first_image_id;
                 o.validate();
                 return o;
             }),
             "image_count"_a = 100, "width"_a = 320, "height"_a = 240, "seed"_a = 2022, "min_objects"_a = 1,
             "max_objects"_a = 6, "jpeg_quality"_a = 95, "first_image_id"_a = 1)
        .def_readwrite("image_count", &SyntheticDatasetOptions::image_count)
        .def_readwrite("width", &SyntheticDatasetOptions::width)
        .def_readwrite("height", &SyntheticDatasetOptions::height)
        .def_readwrite("seed", &SyntheticDatasetOptions::seed)
        .def_readwrite("min_objects", &SyntheticDatasetOptions::min_objects)
        .def_readwrite("max_objects", &SyntheticDatasetOptions::max_objects)
        .def_readwrite("jpeg_quality", &SyntheticDatasetOptions::jpeg_quality)
        .def_readwrite("first_image_id", &SyntheticDatasetOptions::first_image_id);

    m.def("synthetic_categories", &synthetic_categories, py::return_value_policy::copy,
          "The classes of the synthetic dataset: disk, square, triangle, ring, cross.");
    m.def("render_synthetic_image",
          [](const SyntheticDatasetOptions& options, std::size_t index) {
              SyntheticImage rendered;
              {
                  py::gil_scoped_release release;
                  rendered = render_synthetic_image(options, index);
              }
              return py::make_tuple(to_ndarray(rendered.image), rendered.annotations);
          },
          "options"_a, "index"_a, "Render image `index`: returns (BGR uint8 array, list of Annotation).");
    m.def("generate_synthetic_dataset", &generate_synthetic_dataset, "options"_a, "out_dir"_a,
          py::call_guard<py::gil_scoped_release>(),
          "Write images/NNNNNN.jpg and instances.json under out_dir and return the dataset.");
}

}  // namespace

void bind_core(py::module_& m) {
    bind_types(m);
    bind_categories(m);
    bind_dataset(m);
    bind_synthetic(m);
}

}  // namespace edgebench::python
