#include "monitor/issue_log.hpp"

namespace edgebench::detail {

void IssueLog::note(std::string_view field, std::string_view reason, double mono_s) {
    // Most notes repeat the field's latest reason, so look there first.
    if (const auto latest = latest_.find(field); latest != latest_.end()) {
        auto& issue = issues_[latest->second];
        if (issue.reason == reason) {
            issue.last_mono_s = mono_s;
            ++issue.count;
            return;
        }
    }
    for (std::size_t i = 0; i < issues_.size(); ++i) {
        auto& issue = issues_[i];
        if (issue.field == field && issue.reason == reason) {
            issue.last_mono_s = mono_s;
            ++issue.count;
            latest_[std::string(field)] = i;
            return;
        }
    }
    if (issues_.size() >= kMaxIssues) {
        ++overflow_;
        return;
    }
    issues_.push_back({std::string(field), std::string(reason), mono_s, mono_s, 1});
    latest_[std::string(field)] = issues_.size() - 1;
}

std::map<std::string, std::string> IssueLog::reasons() const {
    std::map<std::string, std::string> result;
    for (const auto& [field, index] : latest_) result.emplace(field, issues_[index].reason);
    return result;
}

}  // namespace edgebench::detail
