#include "cli/download_progress.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace edgebench::cli {
namespace {

using Stage = CocoDownloadProgress::Stage;

std::string bytes_text(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
    return text;
}

std::string duration_text(double seconds) {
    if (!(seconds >= 0) || seconds > 360000) return "--:--";
    const long total = static_cast<long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

/// Fraction done in [0, 1], or nothing when the total is unknown.
std::optional<double> fraction(const CocoDownloadProgress& progress) {
    if (progress.stage == Stage::Images) {
        if (progress.files_total == 0) return 1.0;
        return static_cast<double>(progress.files_done) / static_cast<double>(progress.files_total);
    }
    if (progress.stage == Stage::Annotations && progress.bytes_total && *progress.bytes_total > 0) {
        return static_cast<double>(progress.bytes_done) / static_cast<double>(*progress.bytes_total);
    }
    return std::nullopt;
}

}  // namespace

DownloadProgress::DownloadProgress(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

DownloadProgress::~DownloadProgress() {
    if (mid_line_) out_ << '\n' << std::flush;
}

void DownloadProgress::start_stage(const CocoDownloadProgress& progress) {
    if (mid_line_) out_ << '\n';
    mid_line_ = false;
    stage_ = progress.stage;
    stage_start_ = Clock::now();
    last_draw_ = {};
    last_tenth_ = -1;
    if (terminal_) return;
    switch (progress.stage) {
        case Stage::Annotations: out_ << "annotations: downloading annotations_trainval2017.zip\n"; break;
        case Stage::Extracting: out_ << "annotations: extracting instances_val2017.json\n"; break;
        case Stage::Images:
            out_ << "images: " << progress.files_total << " to download, " << progress.files_present
                 << " already present\n";
            break;
    }
    out_ << std::flush;
}

std::string DownloadProgress::describe(const CocoDownloadProgress& progress, double seconds) const {
    const double rate = seconds > 0 ? static_cast<double>(progress.bytes_fetched) / seconds : 0;
    const auto done = fraction(progress);
    std::string text;
    switch (progress.stage) {
        case Stage::Annotations:
            text = "annotations ";
            break;
        case Stage::Extracting: return progress.finished ? "annotations: extracted" : "annotations: extracting";
        case Stage::Images: text = "images ";
    }
    if (done) {
        constexpr int kWidth = 24;
        const int filled = static_cast<int>(*done * kWidth);
        text += "[" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kWidth - filled), '-') + "] ";
        char percent[16];
        std::snprintf(percent, sizeof percent, "%3.0f%%  ", *done * 100.0);
        text += percent;
    }
    if (progress.stage == Stage::Images) {
        text += std::to_string(progress.files_done) + "/" + std::to_string(progress.files_total) + " files  " +
                bytes_text(static_cast<double>(progress.bytes_done));
    } else {
        text += bytes_text(static_cast<double>(progress.bytes_done));
        if (progress.bytes_total) text += " / " + bytes_text(static_cast<double>(*progress.bytes_total));
    }
    text += "  " + bytes_text(rate) + "/s";
    // The ETA extrapolates this run's pace: bytes for the archive, files for the images (their sizes are
    // not known before they arrive).
    double eta = -1;
    if (progress.stage == Stage::Annotations && progress.bytes_total && rate > 0) {
        eta = static_cast<double>(*progress.bytes_total - std::min(*progress.bytes_total, progress.bytes_done)) / rate;
    } else if (progress.stage == Stage::Images && progress.files_done > 0) {
        eta = seconds * static_cast<double>(progress.files_total - progress.files_done) /
              static_cast<double>(progress.files_done);
    }
    text += progress.finished ? "  in " + duration_text(seconds) : "  ETA " + duration_text(eta);
    return text;
}

void DownloadProgress::update(const CocoDownloadProgress& progress) {
    if (!stage_ || *stage_ != progress.stage) start_stage(progress);
    const auto now = Clock::now();
    const double seconds = std::chrono::duration<double>(now - stage_start_).count();
    if (terminal_) {
        // Redraw at most ten times a second; libcurl reports far more often.
        if (!progress.finished && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        out_ << '\r' << describe(progress, seconds) << "\033[K";
        mid_line_ = true;
        if (progress.finished) {
            out_ << '\n';
            mid_line_ = false;
        }
        out_ << std::flush;
        return;
    }
    const auto done = fraction(progress);
    const int tenth = done ? static_cast<int>(*done * 10.0) : -1;
    const bool due = progress.finished || (tenth > last_tenth_ && tenth < 10) ||
                     (now - last_draw_ > std::chrono::seconds(30));
    if (!due || progress.stage == Stage::Extracting) return;
    if (!progress.finished && progress.bytes_done == 0 && progress.files_done == 0) return;  // nothing to say yet
    last_tenth_ = tenth;
    last_draw_ = now;
    out_ << describe(progress, seconds) << '\n' << std::flush;
}

}  // namespace edgebench::cli
