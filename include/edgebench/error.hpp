#pragma once
/// \file
/// The one exception type edgebench throws for bad input, bad settings and failed I/O.

#include <stdexcept>
#include <string>

namespace edgebench {

/// An error that names what was wrong: the file (when input came from one), the field (a JSON path
/// such as `annotations[3].bbox[2]`, or a setting name such as `quality`) and why.
///
/// `what()` reads `file: field: message`, leaving out the parts that are empty.
class Error : public std::runtime_error {
public:
    explicit Error(std::string message, std::string field = {}, std::string file = {});

    /// The explanation alone, without file and field.
    const std::string& message() const noexcept { return message_; }
    /// The offending field or setting; empty when the error is not about one field.
    const std::string& field() const noexcept { return field_; }
    /// The file the bad input came from; empty when it did not come from a file.
    const std::string& file() const noexcept { return file_; }

private:
    std::string message_;
    std::string field_;
    std::string file_;
};

}  // namespace edgebench
