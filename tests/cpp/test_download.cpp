// Resumable, checksummed downloads and `edgebench dataset download coco-val2017`, against a real HTTP
// server on loopback that serves fixture files (a zip of synthetic annotations and their images).

#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <random>

#include "edgebench/checksum.hpp"
#include "edgebench/coco_dataset.hpp"
#include "edgebench/coco_download.hpp"
#include "edgebench/downloader.hpp"
#include "edgebench/error.hpp"
#include "edgebench/synthetic_dataset.hpp"
#include "fixture_http_server.hpp"
#include "internal/zip_member.hpp"
#include "test_support.hpp"

using namespace edgebench;
using test::FixtureHttpServer;

namespace {

std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    std::string bytes(size, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xff);
    return bytes;
}

/// Expects `call` to throw edgebench::Error and returns its text.
template <typename Call>
std::string error_of(Call&& call) {
    try {
        call();
    } catch (const Error& error) {
        return error.what();
    }
    ADD_FAILURE() << "no edgebench::Error was thrown";
    return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

DownloadOptions fast(int attempts = 1) {
    DownloadOptions options;
    options.attempts = attempts;
    options.retry_delay_ms = 0;
    options.connect_timeout_ms = 2'000;
    return options;
}

std::uint64_t size_of(const std::filesystem::path& file) { return std::filesystem::file_size(file); }

/// A zip archive with the given members, made with libzip.
std::string make_zip(const std::filesystem::path& where, const std::vector<std::pair<std::string, std::string>>& members) {
    int code = 0;
    zip_t* archive = zip_open(where.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!archive) throw std::runtime_error("zip_open failed");
    for (const auto& [name, data] : members) {
        zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
        if (!source || zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(source);
            zip_discard(archive);
            throw std::runtime_error("zip_file_add failed");
        }
    }
    if (zip_close(archive) != 0) throw std::runtime_error("zip_close failed");
    return test::read_text(where);
}

// ---------------------------------------------------------------------------------------------------
// Checksums

TEST(Checksum, ParsesTheTextFormAndDigestsFiles) {
    const auto sha = Checksum::parse("SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    EXPECT_EQ(sha.algorithm, HashAlgorithm::Sha256);
    EXPECT_EQ(sha.to_string(), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Checksum::parse("900150983cd24fb0d6963f7d28e17f72").algorithm, HashAlgorithm::Md5);
    EXPECT_THROW(Checksum::parse("sha256:abc"), Error);
    EXPECT_THROW(Checksum::parse("crc32:12345678"), Error);
    EXPECT_THROW(Checksum::parse("zz0150983cd24fb0d6963f7d28e17f72"), Error);

    test::TempDir dir;
    test::write_text(dir / "abc", "abc");
    EXPECT_EQ(file_digest(dir / "abc", HashAlgorithm::Sha256), sha.hex);
    EXPECT_EQ(file_digest(dir / "abc", HashAlgorithm::Md5), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_TRUE(contains(error_of([&] { file_digest(dir / "nope", HashAlgorithm::Md5); }), "nope"));
}

// ---------------------------------------------------------------------------------------------------
// Downloader

class DownloaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        body = random_bytes(200'000, 1);
        server.put("/files/f.bin", {body, test::md5_hex(body)});
        target.url = server.base_url() + "/files/f.bin";
        target.file = dir / "out" / "f.bin";
    }
    std::filesystem::path part() const { return partial_download_path(target.file); }

    FixtureHttpServer server;
    test::TempDir dir;
    std::string body;
    DownloadTarget target;
};

TEST_F(DownloaderTest, FetchesVerifiesAndThenFindsTheFileComplete) {
    target.expected_size = body.size();
    target.expected_checksum = Checksum{HashAlgorithm::Sha256, test::sha256_hex(body)};
    std::vector<TransferProgress> seen;
    Downloader downloader(fast());
    const auto result = downloader.fetch(target, [&](const TransferProgress& p) {
        seen.push_back(p);
        return true;
    });
    EXPECT_EQ(test::read_text(target.file), body);
    EXPECT_FALSE(std::filesystem::exists(part()));
    EXPECT_EQ(result.size, body.size());
    EXPECT_EQ(result.bytes_fetched, body.size());
    EXPECT_FALSE(result.already_complete);
    EXPECT_FALSE(result.resumed);
    EXPECT_EQ(result.sha256, test::sha256_hex(body));
    for (const char* check : {"size = Content-Length", "size = expected", "sha256 = expected", "md5 = ETag"}) {
        EXPECT_TRUE(contains(result.verified, check)) << check;
    }
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().bytes_done, body.size());
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.bytes_done < b.bytes_done; }));

    // Complete: checked against the expectations, not fetched again.
    const auto again = downloader.fetch(target);
    EXPECT_TRUE(again.already_complete);
    EXPECT_EQ(again.bytes_fetched, 0u);
    EXPECT_EQ(server.requests_for("/files/f.bin").size(), 1u);
}

TEST_F(DownloaderTest, ResumesAPartialFileWithARangeRequest) {
    std::filesystem::create_directories(target.file.parent_path());
    test::write_text(part(), body.substr(0, 70'000));
    target.expected_checksum = Checksum{HashAlgorithm::Sha256, test::sha256_hex(body)};
    const auto result = Downloader(fast()).fetch(target);
    const auto requests = server.requests_for("/files/f.bin");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].range, "bytes=70000-");
    EXPECT_TRUE(result.resumed);
    EXPECT_EQ(result.bytes_fetched, body.size() - 70'000);
    EXPECT_EQ(test::read_text(target.file), body);
    EXPECT_TRUE(contains(result.verified, "md5 = ETag"));  // the whole file's digest, prefix included
    EXPECT_TRUE(contains(result.verified, "size = Content-Range"));
}

TEST_F(DownloaderTest, ACutConnectionKeepsThePartAndTheNextCallResumes) {
    auto file = FixtureHttpServer::File{body, test::md5_hex(body)};
    file.cut_times = 1;
    file.cut_after = 50'000;
    server.put("/files/f.bin", file);
    const std::string message = error_of([&] { Downloader(fast(1)).fetch(target); });
    EXPECT_TRUE(contains(message, target.url)) << message;
    EXPECT_TRUE(contains(message, "50000 bytes kept in " + part().string())) << message;
    EXPECT_TRUE(contains(message, "run again to resume")) << message;
    ASSERT_TRUE(std::filesystem::exists(part()));
    EXPECT_EQ(size_of(part()), 50'000u);
    EXPECT_FALSE(std::filesystem::exists(target.file));

    const auto result = Downloader(fast(1)).fetch(target);
    const auto requests = server.requests_for("/files/f.bin");
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].range, "");
    EXPECT_EQ(requests[1].range, "bytes=50000-");
    EXPECT_TRUE(result.resumed);
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, RetriesWithinOneCallResumeWhereTheLastTryStopped) {
    auto file = FixtureHttpServer::File{body, test::md5_hex(body)};
    file.cut_times = 2;
    file.cut_after = 60'000;
    server.put("/files/f.bin", file);
    const auto result = Downloader(fast(3)).fetch(target);
    const auto requests = server.requests_for("/files/f.bin");
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[1].range, "bytes=60000-");
    EXPECT_EQ(requests[2].range, "bytes=120000-");
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(result.bytes_fetched, body.size());
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, AServerThatIgnoresRangesGetsAFreshStart) {
    auto file = FixtureHttpServer::File{body, test::md5_hex(body)};
    file.honour_range = false;
    server.put("/files/f.bin", file);
    std::filesystem::create_directories(target.file.parent_path());
    test::write_text(part(), "stale bytes that must not survive");
    const auto result = Downloader(fast()).fetch(target);
    EXPECT_EQ(server.requests_for("/files/f.bin").at(0).range, "bytes=33-");
    EXPECT_FALSE(result.resumed);
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, ACompletePartGetsRangeNotSatisfiableAndIsFinished) {
    std::filesystem::create_directories(target.file.parent_path());
    test::write_text(part(), body);
    target.expected_checksum = Checksum{HashAlgorithm::Md5, test::md5_hex(body)};
    const auto result = Downloader(fast()).fetch(target);
    EXPECT_EQ(server.requests_for("/files/f.bin").at(0).range, "bytes=200000-");
    EXPECT_EQ(result.bytes_fetched, 0u);
    EXPECT_TRUE(contains(result.verified, "md5 = expected"));
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, AChecksumMismatchIsReportedAndTheDownloadDeleted) {
    target.expected_checksum = Checksum{HashAlgorithm::Sha256, test::sha256_hex("something else")};
    const std::string message = error_of([&] { Downloader(fast()).fetch(target); });
    EXPECT_TRUE(contains(message, target.file.string() + ": sha256 mismatch: got " + test::sha256_hex(body))) << message;
    EXPECT_TRUE(contains(message, "expected " + test::sha256_hex("something else"))) << message;
    EXPECT_FALSE(std::filesystem::exists(target.file));
    EXPECT_FALSE(std::filesystem::exists(part()));
}

TEST_F(DownloaderTest, AnEtagMismatchCatchesAResumeFromStaleBytes) {
    // A partial file from another version of the file: the range continues it, the ETag exposes it.
    std::filesystem::create_directories(target.file.parent_path());
    test::write_text(part(), random_bytes(1'000, 2));
    const std::string message = error_of([&] { Downloader(fast()).fetch(target); });
    EXPECT_TRUE(contains(message, "md5 mismatch")) << message;
    EXPECT_TRUE(contains(message, "ETag says " + test::md5_hex(body))) << message;
    EXPECT_FALSE(std::filesystem::exists(part()));
    // The next call starts afresh and succeeds.
    Downloader(fast()).fetch(target);
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, AServerAnnouncingTheWrongSizeIsRefused) {
    target.expected_size = body.size() + 1;
    const std::string message = error_of([&] { Downloader(fast()).fetch(target); });
    EXPECT_TRUE(contains(message, "announces 200000 bytes but the file should have 200001")) << message;
    EXPECT_FALSE(std::filesystem::exists(target.file));
    EXPECT_FALSE(std::filesystem::exists(part()));  // refused before writing anything
}

TEST_F(DownloaderTest, HttpErrorsNameTheUrlAndOnlyServerErrorsAreRetried) {
    target.url = server.base_url() + "/files/missing.bin";
    const std::string missing = error_of([&] { Downloader(fast(3)).fetch(target); });
    EXPECT_EQ(missing, target.url + ": HTTP 404 Not Found");
    EXPECT_EQ(server.requests_for("/files/missing.bin").size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(part()));

    auto broken = FixtureHttpServer::File{body};
    broken.fail_times = 5;
    server.put("/files/broken.bin", broken);
    target.url = server.base_url() + "/files/broken.bin";
    const std::string failing = error_of([&] { Downloader(fast(2)).fetch(target); });
    EXPECT_EQ(failing, target.url + ": HTTP 500 Internal Server Error (after 2 tries)");
    EXPECT_EQ(server.requests_for("/files/broken.bin").size(), 2u);

    broken.fail_times = 1;
    server.put("/files/flaky.bin", broken);
    target.url = server.base_url() + "/files/flaky.bin";
    Downloader(fast(2)).fetch(target);
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST_F(DownloaderTest, ARefusedConnectionNamesTheUrl) {
    target.url = "http://127.0.0.1:" + std::to_string(test::unused_loopback_port()) + "/files/f.bin";
    const std::string message = error_of([&] { Downloader(fast(2)).fetch(target); });
    EXPECT_TRUE(contains(message, target.url + ": ")) << message;
    EXPECT_TRUE(contains(message, "onnect")) << message;
    EXPECT_TRUE(contains(message, "after 2 tries")) << message;
    EXPECT_FALSE(std::filesystem::exists(target.file));
}

TEST_F(DownloaderTest, AFullDiskIsReportedWithTheFileName) {
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    std::filesystem::create_directories(target.file.parent_path());
    std::filesystem::create_symlink("/dev/full", part());  // every write fails with ENOSPC
    const std::string message = error_of([&] { Downloader(fast(3)).fetch(target); });
    EXPECT_EQ(message, part().string() + ": cannot write: No space left on device");
    EXPECT_EQ(server.requests_for("/files/f.bin").size(), 1u);  // not retried
    EXPECT_FALSE(std::filesystem::exists(target.file));
}

TEST_F(DownloaderTest, ACallbackCanCancelAndThePartStays) {
    const std::string message = error_of([&] {
        Downloader(fast()).fetch(target, [](const TransferProgress& p) { return p.bytes_done < 100'000; });
    });
    EXPECT_TRUE(contains(message, "download cancelled")) << message;
    ASSERT_TRUE(std::filesystem::exists(part()));
    const auto kept = size_of(part());
    EXPECT_GT(kept, 0u);
    Downloader(fast()).fetch(target);
    EXPECT_EQ(server.requests_for("/files/f.bin").back().range, "bytes=" + std::to_string(kept) + "-");
    EXPECT_EQ(test::read_text(target.file), body);
}

TEST(ZipMember, ExtractsOneMemberAndRefusesWhatIsNotThere) {
    test::TempDir dir;
    make_zip(dir / "a.zip", {{"annotations/x.json", "{\"x\": 1}"}, {"annotations/y.json", "{}"}});
    EXPECT_EQ(detail::extract_zip_member(dir / "a.zip", "annotations/x.json", dir / "x.json"), 8u);
    EXPECT_EQ(test::read_text(dir / "x.json"), "{\"x\": 1}");
    const std::string missing = error_of([&] { detail::extract_zip_member(dir / "a.zip", "nope.json", dir / "n.json"); });
    EXPECT_TRUE(contains(missing, "a.zip: the archive has no member 'nope.json'")) << missing;
    test::write_text(dir / "bad.zip", "not a zip at all");
    const std::string bad = error_of([&] { detail::extract_zip_member(dir / "bad.zip", "x", dir / "x2.json"); });
    EXPECT_TRUE(contains(bad, "bad.zip: not a readable zip archive")) << bad;
    EXPECT_FALSE(std::filesystem::exists(dir / "x2.json"));
}

// ---------------------------------------------------------------------------------------------------
// COCO val2017 from a fixture server

/// Serves what images.cocodataset.org serves, in miniature: the annotation archive with
/// `annotations/instances_val2017.json` (synthetic images' ground truth) and `val2017/<file_name>`.
class CocoDownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        SyntheticDatasetOptions synthetic;
        synthetic.image_count = 8;
        synthetic.width = 96;
        synthetic.height = 72;
        synthetic.seed = 11;
        source = generate_synthetic_dataset(synthetic, source_dir.path());
        archive = make_zip(source_dir / "archive.zip",
                           {{"annotations/instances_val2017.json", test::read_text(source_dir / "instances.json")},
                            {"annotations/captions_val2017.json", "{}"}});
        server.put(kArchive, {archive, test::md5_hex(archive)});
        for (const auto& sample : source) {
            const std::string bytes = test::read_text(sample.path);
            server.put(image_path(sample), {bytes, test::md5_hex(bytes)});
        }
        options.out_dir = out_dir / "coco";
        options.base_url = server.base_url();
        options.annotations = {archive.size(), Checksum{HashAlgorithm::Sha256, test::sha256_hex(archive)}};
        options.transfer = fast(1);
    }
    static std::string image_path(const ImageSample& sample) { return "/val2017/" + sample.file_name; }
    std::size_t image_requests() const {
        std::size_t count = 0;
        for (const auto& request : server.requests()) count += request.path.rfind("/val2017/", 0) == 0 ? 1 : 0;
        return count;
    }
    static std::vector<Id> ids(const CocoDataset& dataset) {
        std::vector<Id> result;
        for (const auto& sample : dataset) result.push_back(sample.id);
        return result;
    }

    static constexpr const char* kArchive = "/annotations/annotations_trainval2017.zip";
    test::TempDir source_dir;
    test::TempDir out_dir;
    CocoDataset source;
    std::string archive;
    FixtureHttpServer server;
    CocoDownloadOptions options;
};

TEST_F(CocoDownloadTest, AFullDownloadProducesTheDataset) {
    std::vector<CocoDownloadProgress> seen;
    const auto summary = download_coco_val2017(options, [&](const CocoDownloadProgress& p) { seen.push_back(p); });
    EXPECT_EQ(summary.images, 8u);
    EXPECT_EQ(summary.images_fetched, 8u);
    EXPECT_EQ(summary.images_present, 0u);
    EXPECT_EQ(summary.annotations, source.annotation_count());
    EXPECT_TRUE(summary.annotations_fetched);
    EXPECT_TRUE(contains(summary.annotations_verified, "sha256 = expected"));
    EXPECT_TRUE(contains(summary.annotations_verified, "md5 = ETag"));

    const auto dataset = CocoDataset::load(options.out_dir / "instances.json");
    ASSERT_EQ(ids(dataset), ids(source));
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        EXPECT_EQ(dataset[i].annotations.size(), source[i].annotations.size());
        EXPECT_EQ(dataset[i].path, options.out_dir / "images" / source[i].file_name);
        EXPECT_EQ(test::read_text(dataset[i].path), test::read_text(source[i].path));
        EXPECT_FALSE(read_image(dataset[i]).empty());
    }
    // The archive is gone (241 MB for the real one); the extracted annotations and the manifest stay.
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "download" / "annotations_trainval2017.zip"));
    EXPECT_TRUE(std::filesystem::exists(options.out_dir / "download" / "instances_val2017.json"));
    const std::string manifest = test::read_text(options.out_dir / "download" / "manifest.json");
    EXPECT_TRUE(contains(manifest, test::sha256_hex(archive))) << manifest;
    EXPECT_TRUE(contains(manifest, "images/" + source[3].file_name)) << manifest;
    EXPECT_TRUE(contains(manifest, test::sha256_hex(test::read_text(source[3].path)))) << manifest;

    // Every stage reported, in order, and the images counted to the end.
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().stage, CocoDownloadProgress::Stage::Annotations);
    EXPECT_EQ(seen.back().stage, CocoDownloadProgress::Stage::Images);
    EXPECT_TRUE(seen.back().finished);
    EXPECT_EQ(seen.back().files_done, 8u);
    EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](const auto& p) {
        return p.stage == CocoDownloadProgress::Stage::Extracting;
    }));
}

TEST_F(CocoDownloadTest, LimitTakesTheFirstNOrARandomNWithASeed) {
    options.limit = 3;
    auto summary = download_coco_val2017(options);
    EXPECT_EQ(summary.images, 3u);
    EXPECT_EQ(ids(CocoDataset::load(options.out_dir / "instances.json")), ids(source.first(3)));
    EXPECT_EQ(image_requests(), 3u);

    options.out_dir = out_dir / "random";
    options.seed = 7;
    summary = download_coco_val2017(options);
    EXPECT_EQ(ids(CocoDataset::load(options.out_dir / "instances.json")), ids(source.random(3, 7)));

    options.seed.reset();
    options.limit.reset();
    options.categories = {source[0].annotations.at(0).category_id};
    options.out_dir = out_dir / "category";
    summary = download_coco_val2017(options);
    EXPECT_EQ(ids(CocoDataset::load(options.out_dir / "instances.json")), ids(source.with_categories(options.categories)));
}

TEST_F(CocoDownloadTest, NothingIsFetchedAgainWhenComplete) {
    options.limit = 3;
    download_coco_val2017(options);
    const auto after_first = server.requests().size();
    // A larger run fetches only the images it lacks, and not the archive: its JSON was extracted.
    options.limit.reset();
    auto summary = download_coco_val2017(options);
    EXPECT_EQ(summary.images_fetched, 5u);
    EXPECT_EQ(summary.images_present, 3u);
    EXPECT_FALSE(summary.annotations_fetched);
    EXPECT_EQ(server.requests().size(), after_first + 5);
    EXPECT_EQ(server.requests_for(kArchive).size(), 1u);

    const auto requests = server.requests().size();
    summary = download_coco_val2017(options);
    EXPECT_EQ(summary.images_fetched, 0u);
    EXPECT_EQ(summary.images_present, 8u);
    EXPECT_EQ(summary.bytes_fetched, 0u);
    EXPECT_EQ(server.requests().size(), requests);
    EXPECT_EQ(CocoDataset::load(options.out_dir / "instances.json").size(), 8u);
}

TEST_F(CocoDownloadTest, AnInterruptedImageResumesOnTheNextRun) {
    const ImageSample& victim = source[2];
    const std::string bytes = test::read_text(victim.path);
    auto file = FixtureHttpServer::File{bytes, test::md5_hex(bytes)};
    file.cut_times = 1;
    file.cut_after = bytes.size() / 2;
    server.put(image_path(victim), file);
    options.connections = 1;  // the images after the victim are not started

    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_TRUE(contains(message, server.base_url() + image_path(victim) + ": ")) << message;
    EXPECT_TRUE(contains(message, "run again to resume")) << message;
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "instances.json"));
    EXPECT_TRUE(std::filesystem::exists(options.out_dir / "images" / source[0].file_name));
    EXPECT_EQ(size_of(options.out_dir / "images" / (victim.file_name + ".part")), bytes.size() / 2);

    const auto summary = download_coco_val2017(options);
    EXPECT_EQ(summary.images_present, 2u);
    EXPECT_EQ(summary.images_fetched, 6u);
    const auto requests = server.requests_for(image_path(victim));
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].range, "bytes=" + std::to_string(bytes.size() / 2) + "-");
    EXPECT_EQ(test::read_text(options.out_dir / "images" / victim.file_name), bytes);
    EXPECT_EQ(server.requests_for(image_path(source[0])).size(), 1u);
}

TEST_F(CocoDownloadTest, AStopRequestCancelsAndTheNextRunResumes) {
    std::stop_source stop;
    options.stop = stop.get_token();
    options.connections = 1;
    const std::string message = error_of([&] {
        download_coco_val2017(options, [&](const CocoDownloadProgress& p) {
            if (p.stage == CocoDownloadProgress::Stage::Images && p.files_done >= 2) stop.request_stop();
        });
    });
    EXPECT_FALSE(message.empty());
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "instances.json"));

    options.stop = {};
    const auto summary = download_coco_val2017(options);
    EXPECT_GE(summary.images_present, 2u);
    EXPECT_EQ(summary.images_present + summary.images_fetched, 8u);
    EXPECT_EQ(CocoDataset::load(options.out_dir / "instances.json").size(), 8u);
}

TEST_F(CocoDownloadTest, AnInterruptedArchiveResumesOnTheNextRun) {
    auto file = FixtureHttpServer::File{archive, test::md5_hex(archive)};
    file.cut_times = 1;
    file.cut_after = archive.size() / 3;
    server.put(kArchive, file);
    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_TRUE(contains(message, server.base_url() + kArchive)) << message;
    EXPECT_TRUE(std::filesystem::exists(options.out_dir / "download" / "annotations_trainval2017.zip.part"));

    const auto summary = download_coco_val2017(options);
    EXPECT_EQ(summary.images, 8u);
    EXPECT_TRUE(contains(summary.annotations_verified, "sha256 = expected"));
    EXPECT_EQ(server.requests_for(kArchive).back().range, "bytes=" + std::to_string(archive.size() / 3) + "-");
}

TEST_F(CocoDownloadTest, AnArchiveThatDoesNotMatchItsChecksumIsRefused) {
    options.annotations.size.reset();
    options.annotations.checksum = Checksum{HashAlgorithm::Sha256, test::sha256_hex("the published archive")};
    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_TRUE(contains(message, "annotations_trainval2017.zip: sha256 mismatch")) << message;
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "download" / "instances_val2017.json"));
    EXPECT_EQ(image_requests(), 0u);
}

TEST_F(CocoDownloadTest, AMissingImageIsA404ThatNamesItsUrl) {
    server.remove(image_path(source[4]));
    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_EQ(message, server.base_url() + image_path(source[4]) + ": HTTP 404 Not Found");
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "instances.json"));
    // Once the server has it again, the next run fetches what is missing and finishes.
    const std::string bytes = test::read_text(source[4].path);
    server.put(image_path(source[4]), {bytes, test::md5_hex(bytes)});
    EXPECT_EQ(download_coco_val2017(options).images, 8u);
}

TEST_F(CocoDownloadTest, ATruncatedImageIsRefusedEvenWhenTheServerClaimsItWhole) {
    // A server (or proxy) that sends a short file with a matching Content-Length and no ETag: only the
    // image check can tell.
    const std::string bytes = test::read_text(source[1].path);
    server.put(image_path(source[1]), {bytes.substr(0, bytes.size() - 100)});
    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_TRUE(contains(message, "images/" + source[1].file_name + ": is an incomplete jpeg image")) << message;
    EXPECT_FALSE(std::filesystem::exists(options.out_dir / "images" / source[1].file_name));
}

TEST_F(CocoDownloadTest, ARefusedConnectionNamesTheArchiveUrl) {
    options.base_url = "http://127.0.0.1:" + std::to_string(test::unused_loopback_port());
    const std::string message = error_of([&] { download_coco_val2017(options); });
    EXPECT_TRUE(contains(message, options.base_url + kArchive + ": ")) << message;
    EXPECT_TRUE(contains(message, "onnect")) << message;
}

TEST(CocoDownloadOptions, AreValidated) {
    CocoDownloadOptions options;
    EXPECT_THROW(options.validate(), Error);
    options.out_dir = "x";
    options.base_url = "ftp://example.org";
    EXPECT_TRUE(contains(error_of([&] { options.validate(); }), "base_url"));
    options.base_url = "http://example.org";
    options.seed = 3;
    EXPECT_TRUE(contains(error_of([&] { options.validate(); }), "seed"));
    options.limit = 2;
    EXPECT_NO_THROW(options.validate());
    const auto official = official_coco_annotations_2017();
    EXPECT_EQ(official.size, 252'907'541u);
    EXPECT_EQ(official.checksum->to_string(), "sha256:113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268");
}

// ---------------------------------------------------------------------------------------------------
// The command line

TEST_F(CocoDownloadTest, TheCommandDownloadsWithALimitAndPlainProgressLines) {
    const std::string command = "EDGEBENCH_COCO_BASE_URL=" + server.base_url() + " " + test::cli_path() +
                                " dataset download coco-val2017 --limit 2 --out " + options.out_dir.string() +
                                " --annotations-checksum sha256:" + test::sha256_hex(archive);
    const auto result = test::run_command(command);
    ASSERT_EQ(result.status, 0) << result.output;
    EXPECT_TRUE(contains(result.output, "annotations: verified size = Content-Length, sha256 = expected, md5 = ETag"))
        << result.output;
    EXPECT_TRUE(contains(result.output, "wrote 2 images (2 downloaded, 0 already present)")) << result.output;
    EXPECT_TRUE(contains(result.output, "images: 2 to download, 0 already present")) << result.output;
    EXPECT_FALSE(contains(result.output, "\r")) << "no terminal, no bar";
    EXPECT_EQ(CocoDataset::load(options.out_dir / "instances.json").size(), 2u);

    const auto again = test::run_command(command + " --quiet");
    ASSERT_EQ(again.status, 0) << again.output;
    EXPECT_TRUE(contains(again.output, "wrote 2 images (0 downloaded, 2 already present)")) << again.output;
}

TEST_F(CocoDownloadTest, TheCommandFailsWithOneClearLine) {
    server.remove(image_path(source[0]));
    const auto missing = test::run_command(test::cli_path() + " dataset download coco-val2017 --quiet --out " +
                                           options.out_dir.string() + " --base-url " + server.base_url() +
                                           " --annotations-checksum none --retries 0");
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.output, "edgebench dataset: error: " + server.base_url() + image_path(source[0]) +
                                  ": HTTP 404 Not Found\n");

    const std::string refused_url = "http://127.0.0.1:" + std::to_string(test::unused_loopback_port());
    const auto refused = test::run_command(test::cli_path() + " dataset download coco-val2017 --out " +
                                           (out_dir / "other").string() + " --base-url " + refused_url + " --retries 0");
    EXPECT_EQ(refused.status, 1);
    EXPECT_TRUE(contains(refused.output, "error: " + refused_url + kArchive + ": ")) << refused.output;

    const auto usage = test::run_command(test::cli_path() + " dataset download coco-val2017 --out x --seed 3");
    EXPECT_EQ(usage.status, 2);
    EXPECT_TRUE(contains(usage.output, "--seed needs --limit")) << usage.output;
    const auto unknown = test::run_command(test::cli_path() + " dataset download imagenet --out x");
    EXPECT_EQ(unknown.status, 2);
}

}  // namespace
