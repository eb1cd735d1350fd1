// Checksums, the resumable downloader, and the COCO val2017 download.

#include <atomic>
#include <future>
#include <mutex>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"
#include "detector_holder.hpp"
#include "edgebench/checksum.hpp"
#include "edgebench/coco_download.hpp"
#include "edgebench/downloader.hpp"
#include "edgebench/error.hpp"
#include "interruptible.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace edgebench::python {
namespace {

std::string repr_size(const std::optional<std::uint64_t>& size) { return size ? std::to_string(*size) : "None"; }

// A Python exception raised inside a callback that C++ calls from a C (libcurl) callback cannot travel
// through it: it is kept here, the transfer is cancelled, and it is raised once the call has returned.
class PendingError {
public:
    void keep(py::error_already_set&& error) {
        const std::lock_guard lock(mutex_);
        if (!error_) error_ = std::make_unique<py::error_already_set>(std::move(error));
    }
    bool pending() const {
        const std::lock_guard lock(mutex_);
        return error_ != nullptr;
    }
    void raise_if_pending() {
        const std::lock_guard lock(mutex_);
        if (error_) {
            py::error_already_set error = std::move(*error_);
            error_.reset();
            throw error;
        }
    }

private:
    mutable std::mutex mutex_;
    std::unique_ptr<py::error_already_set> error_;
};

DownloadOptions make_download_options(long connect_timeout_ms, long stall_timeout_s, int attempts, long retry_delay_ms,
                                      bool verify_etag_md5, std::string user_agent) {
    DownloadOptions options;
    options.connect_timeout_ms = connect_timeout_ms;
    options.stall_timeout_s = stall_timeout_s;
    options.attempts = attempts;
    options.retry_delay_ms = retry_delay_ms;
    options.verify_etag_md5 = verify_etag_md5;
    options.user_agent = std::move(user_agent);
    return options;
}

// The content check of a target, written in Python: a callable (path) -> None | str (the complaint).
std::function<std::optional<std::string>(const std::filesystem::path&)> content_check_of(const py::object& check) {
    if (check.is_none()) return {};
    auto callable = std::make_shared<PythonRef>(check);
    return [callable](const std::filesystem::path& file) -> std::optional<std::string> {
        py::gil_scoped_acquire gil;
        py::object said = callable->object()(file);
        if (said.is_none()) return std::nullopt;
        return py::str(said).cast<std::string>();
    };
}

DownloadResult fetch(Downloader& downloader, const DownloadTarget& target, const py::object& progress) {
    PendingError pending;
    auto callable = progress.is_none() ? nullptr : std::make_shared<PythonRef>(progress);
    // Runs on this (the calling) thread: libcurl calls back from inside fetch(). Ctrl-C and exceptions
    // of the callback cancel the transfer; the partial file stays for a later resume.
    const TransferCallback on_transfer = [&](const TransferProgress& transfer) {
        py::gil_scoped_acquire gil;
        try {
            if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            if (callable) {
                const py::object said = callable->object()(transfer);
                if (!said.is_none() && !said.cast<bool>()) return false;
            }
        } catch (py::error_already_set& error) {
            pending.keep(std::move(error));
            return false;
        }
        return true;
    };
    try {
        py::gil_scoped_release release;
        return downloader.fetch(target, on_transfer);
    } catch (const Error&) {
        pending.raise_if_pending();
        throw;
    }
}

CocoDownloadOptions make_coco_options(std::filesystem::path out_dir, std::string base_url, std::vector<Id> categories,
                                      std::optional<std::size_t> limit, std::optional<std::uint64_t> seed,
                                      int connections, bool keep_archive, std::optional<ExpectedFile> annotations,
                                      std::optional<DownloadOptions> transfer) {
    CocoDownloadOptions options;
    options.out_dir = std::move(out_dir);
    options.base_url = std::move(base_url);
    options.categories = std::move(categories);
    options.limit = limit;
    options.seed = seed;
    options.connections = connections;
    options.keep_archive = keep_archive;
    if (annotations) options.annotations = *annotations;
    if (transfer) options.transfer = *transfer;
    options.validate();
    return options;
}

CocoDownloadSummary download_coco(const CocoDownloadOptions& options, const py::object& progress) {
    PendingError pending;
    auto callable = progress.is_none() ? nullptr : std::make_shared<PythonRef>(progress);
    std::atomic<bool> interrupted{false};
    // The download runs on a worker thread (and its own workers); this thread waits without the GIL and
    // turns Ctrl-C into a stop request. Progress reports arrive one at a time from those threads.
    const auto summary = run_interruptibly<std::optional<CocoDownloadSummary>>([&](std::stop_token stop) {
        std::stop_callback on_stop(stop, [&] { interrupted = true; });
        CocoDownloadOptions run = options;
        std::stop_source cancel;
        std::stop_callback forward(stop, [&] { cancel.request_stop(); });
        run.stop = cancel.get_token();
        CocoProgressCallback on_progress;
        if (callable) {
            on_progress = [&](const CocoDownloadProgress& report) {
                if (pending.pending()) return;
                py::gil_scoped_acquire gil;
                try {
                    callable->object()(report);
                } catch (py::error_already_set& error) {
                    pending.keep(std::move(error));
                    cancel.request_stop();
                }
            };
        }
        try {
            return std::optional<CocoDownloadSummary>(download_coco_val2017(run, on_progress));
        } catch (const Error&) {
            if (interrupted || pending.pending()) return std::optional<CocoDownloadSummary>();
            throw;
        }
    });
    pending.raise_if_pending();
    if (!summary) {
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        throw py::error_already_set();
    }
    return *summary;
}

}  // namespace

void bind_download(py::module_& m) {
    py::enum_<HashAlgorithm>(m, "HashAlgorithm", "A content digest.")
        .value("SHA256", HashAlgorithm::Sha256)
        .value("MD5", HashAlgorithm::Md5);

    py::class_<Checksum>(m, "Checksum", R"doc(An expected digest of a file's bytes.

Checksum.parse('sha256:HEX') or 'md5:HEX' (a bare 64-digit HEX is SHA-256, a bare 32-digit one MD5).)doc")
        .def(py::init([](HashAlgorithm algorithm, std::string hex) { return Checksum{algorithm, std::move(hex)}; }),
             "algorithm"_a, "hex"_a)
        .def_static("parse", &Checksum::parse, "text"_a)
        .def_readwrite("algorithm", &Checksum::algorithm)
        .def_readwrite("hex", &Checksum::hex, "lower-case hexadecimal digest")
        .def("to_string", &Checksum::to_string, "algorithm:hex")
        .def("__str__", &Checksum::to_string)
        .def("__eq__", [](const Checksum& a, const Checksum& b) { return a == b; }, "other"_a)
        .def("__repr__", [](const Checksum& c) { return "Checksum('" + c.to_string() + "')"; });
    m.def("file_digest", &file_digest, "file"_a, "algorithm"_a = HashAlgorithm::Sha256,
          py::call_guard<py::gil_scoped_release>(), "The lower-case hex digest of a file's bytes.");

    py::class_<DownloadOptions>(m, "DownloadOptions", "Timeouts, retries and ETag checking of a Downloader.")
        .def(py::init(&make_download_options), "connect_timeout_ms"_a = 15'000, "stall_timeout_s"_a = 60,
             "attempts"_a = 3, "retry_delay_ms"_a = 1'000, "verify_etag_md5"_a = true, "user_agent"_a = "")
        .def_readwrite("connect_timeout_ms", &DownloadOptions::connect_timeout_ms)
        .def_readwrite("stall_timeout_s", &DownloadOptions::stall_timeout_s,
                       "a transfer receiving nothing this long is abandoned and retried")
        .def_readwrite("attempts", &DownloadOptions::attempts, "tries per file, each resuming the last")
        .def_readwrite("retry_delay_ms", &DownloadOptions::retry_delay_ms, "doubled after each try")
        .def_readwrite("verify_etag_md5", &DownloadOptions::verify_etag_md5)
        .def_readwrite("user_agent", &DownloadOptions::user_agent);

    py::class_<TransferProgress>(m, "TransferProgress", "Where a transfer stands.")
        .def_readonly("bytes_done", &TransferProgress::bytes_done, "bytes on disk, an earlier run's included")
        .def_readonly("bytes_fetched", &TransferProgress::bytes_fetched, "bytes received by this call")
        .def_readonly("bytes_total", &TransferProgress::bytes_total, "the file's size once known, else None")
        .def("__repr__", [](const TransferProgress& p) {
            return "TransferProgress(bytes_done=" + std::to_string(p.bytes_done) + ", bytes_total=" +
                   repr_size(p.bytes_total) + ")";
        });

    py::class_<DownloadTarget>(m, "DownloadTarget", R"doc(What to fetch, where to put it, and what it must be.

DownloadTarget(url, file, expected_size=None, expected_checksum=None, content_check=None):
content_check(partial_path) returns None when the content is fine, else the complaint (str).)doc")
        .def(py::init([](std::string url, std::filesystem::path file, std::optional<std::uint64_t> expected_size,
                         std::optional<Checksum> expected_checksum, const py::object& content_check) {
                 return DownloadTarget{std::move(url), std::move(file), expected_size, std::move(expected_checksum),
                                       content_check_of(content_check)};
             }),
             "url"_a, "file"_a, "expected_size"_a = py::none(), "expected_checksum"_a = py::none(),
             "content_check"_a = py::none())
        .def_readwrite("url", &DownloadTarget::url)
        .def_readwrite("file", &DownloadTarget::file)
        .def_readwrite("expected_size", &DownloadTarget::expected_size)
        .def_readwrite("expected_checksum", &DownloadTarget::expected_checksum);

    py::class_<DownloadResult>(m, "DownloadResult", "What a download did and what the file was checked against.")
        .def_readonly("file", &DownloadResult::file)
        .def_readonly("size", &DownloadResult::size)
        .def_readonly("bytes_fetched", &DownloadResult::bytes_fetched)
        .def_readonly("already_complete", &DownloadResult::already_complete)
        .def_readonly("resumed", &DownloadResult::resumed)
        .def_readonly("attempts", &DownloadResult::attempts)
        .def_readonly("sha256", &DownloadResult::sha256)
        .def_readonly("verified", &DownloadResult::verified, "the checks passed, e.g. 'sha256 = expected'")
        .def("__repr__", [](const DownloadResult& r) {
            return "DownloadResult('" + r.file.string() + "', size=" + std::to_string(r.size) +
                   (r.already_complete ? ", already complete" : "") + (r.resumed ? ", resumed" : "") + ")";
        });

    py::class_<Downloader>(m, "Downloader", R"doc(Resumable, checksummed HTTP(S) downloads over one kept-alive connection.

Downloader(options=DownloadOptions()).fetch(target, progress=None) writes FILE.part and renames it to
FILE once every check passed. progress(TransferProgress) may return False to cancel. The GIL is released
while data flows; Ctrl-C cancels (the partial file stays, a later fetch resumes it). Not thread-safe.)doc")
        .def(py::init<DownloadOptions>(), "options"_a = DownloadOptions())
        .def("fetch", &fetch, "target"_a, "progress"_a = py::none())
        .def_property_readonly("options", &Downloader::options, py::return_value_policy::copy);
    m.def("partial_download_path", &partial_download_path, "file"_a,
          "FILE.part: where a Downloader keeps an unfinished download of FILE.");

    py::class_<ExpectedFile>(m, "ExpectedFile", "What a file must be: its size and a digest, each optional.")
        .def(py::init([](std::optional<std::uint64_t> size, std::optional<Checksum> checksum) {
                 return ExpectedFile{size, std::move(checksum)};
             }),
             "size"_a = py::none(), "checksum"_a = py::none())
        .def_readwrite("size", &ExpectedFile::size)
        .def_readwrite("checksum", &ExpectedFile::checksum);
    m.def("official_coco_annotations_2017", &official_coco_annotations_2017,
          "Size and SHA-256 of annotations_trainval2017.zip as published.");
    m.def("default_coco_base_url", &default_coco_base_url,
          "$EDGEBENCH_COCO_BASE_URL when set, else COCO_BASE_URL (http://images.cocodataset.org).");
    m.attr("COCO_BASE_URL") = kCocoBaseUrl;

    py::class_<CocoDownloadOptions>(m, "CocoDownloadOptions", R"doc(What download_coco_val2017 fetches and where.

CocoDownloadOptions(out_dir, base_url='', categories=[], limit=None, seed=None, connections=4,
                    keep_archive=False, annotations=None, transfer=None)
  limit, seed   take `limit` images: the first ones, or with `seed` a random choice
  annotations   ExpectedFile of the annotation archive (default: the official size and SHA-256))doc")
        .def(py::init(&make_coco_options), "out_dir"_a, "base_url"_a = "", "categories"_a = std::vector<Id>{},
             "limit"_a = py::none(), "seed"_a = py::none(), "connections"_a = 4, "keep_archive"_a = false,
             "annotations"_a = py::none(), "transfer"_a = py::none())
        .def_readwrite("out_dir", &CocoDownloadOptions::out_dir)
        .def_readwrite("base_url", &CocoDownloadOptions::base_url)
        .def_readwrite("categories", &CocoDownloadOptions::categories)
        .def_readwrite("limit", &CocoDownloadOptions::limit)
        .def_readwrite("seed", &CocoDownloadOptions::seed)
        .def_readwrite("connections", &CocoDownloadOptions::connections)
        .def_readwrite("keep_archive", &CocoDownloadOptions::keep_archive)
        .def_readwrite("annotations", &CocoDownloadOptions::annotations)
        .def_readwrite("transfer", &CocoDownloadOptions::transfer)
        .def("validate", &CocoDownloadOptions::validate);

    py::class_<CocoDownloadProgress> progress(m, "CocoDownloadProgress", "Where a COCO download stands.");
    py::enum_<CocoDownloadProgress::Stage>(progress, "Stage", "The stage of a COCO download.")
        .value("ANNOTATIONS", CocoDownloadProgress::Stage::Annotations)
        .value("EXTRACTING", CocoDownloadProgress::Stage::Extracting)
        .value("IMAGES", CocoDownloadProgress::Stage::Images);
    progress.def_readonly("stage", &CocoDownloadProgress::stage)
        .def_readonly("bytes_done", &CocoDownloadProgress::bytes_done)
        .def_readonly("bytes_fetched", &CocoDownloadProgress::bytes_fetched)
        .def_readonly("bytes_total", &CocoDownloadProgress::bytes_total)
        .def_readonly("files_done", &CocoDownloadProgress::files_done)
        .def_readonly("files_total", &CocoDownloadProgress::files_total)
        .def_readonly("files_present", &CocoDownloadProgress::files_present)
        .def_readonly("finished", &CocoDownloadProgress::finished);

    py::class_<CocoDownloadSummary>(m, "CocoDownloadSummary", "What a COCO download wrote and fetched.")
        .def_readonly("instances_json", &CocoDownloadSummary::instances_json)
        .def_readonly("images", &CocoDownloadSummary::images)
        .def_readonly("annotations", &CocoDownloadSummary::annotations)
        .def_readonly("images_fetched", &CocoDownloadSummary::images_fetched)
        .def_readonly("images_present", &CocoDownloadSummary::images_present)
        .def_readonly("annotations_fetched", &CocoDownloadSummary::annotations_fetched)
        .def_readonly("bytes_fetched", &CocoDownloadSummary::bytes_fetched)
        .def_readonly("annotations_verified", &CocoDownloadSummary::annotations_verified)
        .def("__repr__", [](const CocoDownloadSummary& s) {
            return "CocoDownloadSummary('" + s.instances_json.string() + "', " + std::to_string(s.images) + " images)";
        });

    m.def("download_coco_val2017", &download_coco, "options"_a, "progress"_a = py::none(),
          R"doc(Download COCO val2017's annotations and some or all of its images into options.out_dir, resumably.

progress(CocoDownloadProgress) is called as it goes (one call at a time, from worker threads). The GIL is
released meanwhile; Ctrl-C cancels the transfers (partial files stay, the same call later resumes) and
raises KeyboardInterrupt. Returns a CocoDownloadSummary.)doc");
}

}  // namespace edgebench::python
