#pragma once
// What the monitor could not read, folded so that a field that is null in every sample is recorded
// once (with a count), not once per sample. Not thread-safe: the monitor guards it.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "edgebench/hw_sample.hpp"

namespace edgebench::detail {

/// A remark made while taking one sample: a field and why it is null (or limited).
struct FieldNote {
    const char* field;  ///< a column name; a string literal
    std::string reason;
};

class IssueLog {
public:
    /// Distinct (field, reason) pairs kept; later new ones are only counted in `overflow()`.
    static constexpr std::size_t kMaxIssues = 256;

    void note(std::string_view field, std::string_view reason, double mono_s);

    const std::vector<HwIssue>& issues() const noexcept { return issues_; }
    /// Field -> its latest reason.
    std::map<std::string, std::string> reasons() const;
    std::size_t overflow() const noexcept { return overflow_; }

private:
    std::vector<HwIssue> issues_;
    std::map<std::string, std::size_t, std::less<>> latest_;  // field -> index into issues_
    std::size_t overflow_ = 0;
};

}  // namespace edgebench::detail
