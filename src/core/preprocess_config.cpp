#include "edgebench/preprocess_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "edgebench/error.hpp"
#include "internal/ascii_lower.hpp"

namespace edgebench {
namespace {

constexpr std::string_view known_keys = "grayscale, resize, max_side, format, quality";

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(separator, start);
        parts.push_back(trim(text.substr(start, end == std::string_view::npos ? end : end - start)));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

double parse_number(std::string_view key, std::string_view value) {
    std::string_view digits = value;
    if (!digits.empty() && digits.back() == '%') digits.remove_suffix(1);
    double number = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(number)) {
        throw Error("expected a number, got '" + std::string(value) + "'", std::string(key));
    }
    return number;
}

int parse_integer(std::string_view key, std::string_view value) {
    const double number = parse_number(key, value);
    if (number != std::floor(number) || std::fabs(number) > 1e9) {
        throw Error("expected a whole number, got '" + std::string(value) + "'", std::string(key));
    }
    return static_cast<int>(number);
}

bool parse_flag(std::string_view key, std::string_view value) {
    const auto text = detail::ascii_lower(value);
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off") return false;
    throw Error("expected 0 or 1, got '" + std::string(value) + "'", std::string(key));
}

ImageEncoding parse_encoding(std::string_view key, std::string_view value) {
    const auto text = detail::ascii_lower(value);
    if (text == "original" || text == "keep") return ImageEncoding::Original;
    if (text == "jpeg" || text == "jpg") return ImageEncoding::Jpeg;
    if (text == "png") return ImageEncoding::Png;
    if (text == "webp") return ImageEncoding::WebP;
    throw Error("expected original, jpeg, png or webp, got '" + std::string(value) + "'", std::string(key));
}

}  // namespace

std::string to_string(ImageEncoding encoding) {
    switch (encoding) {
        case ImageEncoding::Original: return "original";
        case ImageEncoding::Jpeg: return "jpeg";
        case ImageEncoding::Png: return "png";
        case ImageEncoding::WebP: return "webp";
    }
    return "original";
}

PreprocessConfig PreprocessConfig::parse(std::string_view text) {
    PreprocessConfig config;
    text = trim(text);
    if (text.empty()) return config;

    // Both forms reduce to a list of (key, value) pairs.
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    const auto parts = split(text, ',');
    if (text.find('=') != std::string_view::npos) {
        for (const auto part : parts) {
            const auto equals = part.find('=');
            if (equals == std::string_view::npos) {
                throw Error("expected key=value, got '" + std::string(part) + "'", "preprocess");
            }
            pairs.emplace_back(trim(part.substr(0, equals)), trim(part.substr(equals + 1)));
        }
    } else {
        if (parts.size() % 2 != 0) {
            throw Error("expected key,value pairs such as 'BW,0,quality,50%,resize,75%' or key=value settings "
                        "such as 'grayscale=0,resize=75,quality=50', got '" + std::string(text) + "'",
                        "preprocess");
        }
        for (std::size_t i = 0; i < parts.size(); i += 2) pairs.emplace_back(parts[i], parts[i + 1]);
        config.encoding = ImageEncoding::Jpeg;  // the study always re-encoded
    }

    std::optional<ImageEncoding> explicit_encoding;
    bool quality_given = false;
    for (const auto& [raw_key, value] : pairs) {
        const auto key = detail::ascii_lower(raw_key);
        if (key == "grayscale" || key == "gray" || key == "bw") {
            config.grayscale = parse_flag("grayscale", value);
        } else if (key == "resize") {
            config.resize_percent = parse_number("resize", value);
        } else if (key == "max_side") {
            config.max_side = parse_integer("max_side", value);
        } else if (key == "format" || key == "encoding") {
            explicit_encoding = parse_encoding("format", value);
        } else if (key == "quality") {
            config.quality = parse_integer("quality", value);
            quality_given = true;
        } else {
            throw Error("unknown setting '" + std::string(raw_key) + "'; expected one of " + std::string(known_keys),
                        std::string(raw_key));
        }
    }
    if (explicit_encoding) {
        config.encoding = *explicit_encoding;
    } else if (quality_given) {
        config.encoding = ImageEncoding::Jpeg;
    }
    config.validate();
    return config;
}

void PreprocessConfig::validate() const {
    if (!(resize_percent > 0.0) || resize_percent > 400.0 || !std::isfinite(resize_percent)) {
        throw Error("must be a percentage in (0, 400], got " + std::to_string(resize_percent), "resize");
    }
    if (max_side < 0) throw Error("must be 0 (no limit) or a positive number of pixels", "max_side");
    if (quality < 1 || quality > 100) {
        throw Error("must be between 1 and 100, got " + std::to_string(quality), "quality");
    }
}

bool PreprocessConfig::changes_pixels() const noexcept {
    return grayscale || resize_percent != 100.0 || max_side > 0;
}

std::string PreprocessConfig::to_string() const {
    // Shortest text that reads back as the same double, so that parse(to_string()) == *this.
    char percent[32];
    const auto end = std::to_chars(percent, percent + sizeof percent, resize_percent).ptr;
    std::string text = "grayscale=" + std::to_string(grayscale ? 1 : 0) + ",resize=" + std::string(percent, end);
    if (max_side > 0) text += ",max_side=" + std::to_string(max_side);
    return text + ",format=" + edgebench::to_string(encoding) + ",quality=" + std::to_string(quality);
}

}  // namespace edgebench
