#pragma once
// Shows a dataset download's progress: a redrawn bar with bytes, rate and ETA on a terminal, a few plain
// lines otherwise (logs and CI output should not fill with carriage returns).

#include <chrono>
#include <iosfwd>
#include <optional>

#include "edgebench/coco_download.hpp"

namespace edgebench::cli {

class DownloadProgress {
public:
    /// `terminal`: redraw one line in place; otherwise print a line per stage and per tenth done.
    DownloadProgress(std::ostream& out, bool terminal);
    /// Ends a bar left mid-line (an error message must start on a line of its own).
    ~DownloadProgress();
    DownloadProgress(const DownloadProgress&) = delete;
    DownloadProgress& operator=(const DownloadProgress&) = delete;

    void update(const CocoDownloadProgress& progress);

private:
    using Clock = std::chrono::steady_clock;
    void start_stage(const CocoDownloadProgress& progress);
    std::string describe(const CocoDownloadProgress& progress, double seconds) const;

    std::ostream& out_;
    bool terminal_;
    std::optional<CocoDownloadProgress::Stage> stage_;
    Clock::time_point stage_start_;
    Clock::time_point last_draw_;
    int last_tenth_ = -1;
    bool mid_line_ = false;
};

}  // namespace edgebench::cli
