#include "edgebench/error.hpp"

namespace edgebench {
namespace {

std::string compose(const std::string& message, const std::string& field, const std::string& file) {
    std::string text;
    if (!file.empty()) text += file + ": ";
    if (!field.empty()) text += field + ": ";
    return text + message;
}

}  // namespace

Error::Error(std::string message, std::string field, std::string file)
    : std::runtime_error(compose(message, field, file)),
      message_(std::move(message)),
      field_(std::move(field)),
      file_(std::move(file)) {}

}  // namespace edgebench
