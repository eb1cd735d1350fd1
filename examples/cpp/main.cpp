// Generates a small synthetic dataset, shows what JPEG quality and resizing do to its bytes, then runs
// the built-in detector (shipped with the installed package) on it.
//   edgebench_example OUT_DIR

#include <edgebench/edgebench.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    try {
        edgebench::SyntheticDatasetOptions options;
        options.image_count = 8;
        const auto dataset = edgebench::generate_synthetic_dataset(options, argv[1]);
        std::printf("edgebench %s: %zu images, %zu objects\n", edgebench::kVersion, dataset.size(),
                    dataset.annotation_count());

        for (const char* settings : {"quality=90", "quality=50,resize=75", "BW,1,quality,10%,resize,50%"}) {
            const edgebench::Preprocessor preprocessor(edgebench::PreprocessConfig::parse(settings));
            std::size_t bytes_in = 0;
            std::size_t bytes_out = 0;
            for (const auto& sample : dataset) {
                const auto result = preprocessor.process(edgebench::read_image_bytes(sample));
                bytes_in += result.metrics.bytes_in;
                bytes_out += result.metrics.bytes_out;
            }
            std::printf("%-45s %8zu -> %8zu bytes\n", preprocessor.config().to_string().c_str(), bytes_in, bytes_out);
            if (bytes_out == 0 || bytes_out >= bytes_in) return 1;
        }

        auto detector = edgebench::make_detector("builtin");
        std::size_t found = 0;
        for (const auto& sample : dataset) found += detector->detect(edgebench::read_image(sample)).detections.size();
        std::printf("builtin detector (%s): %zu detections\n", detector->info().model_path.c_str(), found);
        return found > 0 ? 0 : 1;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}
