#include "cli/arg_parser.hpp"

#include <charconv>
#include <cmath>
#include <iostream>

namespace edgebench::cli {

ArgParser::ArgParser(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {
    flag("help", "show this help and exit");
}

ArgParser& ArgParser::option(const std::string& name, const std::string& value_name, const std::string& help,
                             std::optional<std::string> default_value) {
    options_.push_back({name, value_name, help, std::move(default_value), true, false});
    return *this;
}

ArgParser& ArgParser::repeated(const std::string& name, const std::string& value_name, const std::string& help) {
    options_.push_back({name, value_name, help, std::nullopt, true, true});
    return *this;
}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help) {
    options_.push_back({name, "", help, std::nullopt, false, false});
    return *this;
}

ArgParser& ArgParser::positional(const std::string& name, const std::string& help, bool required) {
    positionals_.emplace_back(name, help);
    positional_required_.push_back(required);
    return *this;
}

ArgParser& ArgParser::allow_rest(const std::string& name, const std::string& help) {
    rest_name_ = name;
    rest_help_ = help;
    return *this;
}

const ArgParser::Spec& ArgParser::spec(const std::string& name) const {
    for (const auto& s : options_) {
        if (s.name == name) return s;
    }
    throw UsageError("unknown option --" + name + " (see " + program_ + " --help)");
}

bool ArgParser::parse(const std::vector<std::string>& args) {
    std::size_t next_positional = 0;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            if (rest_name_.empty()) throw UsageError("unexpected '--'");
            rest_.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
            std::string name = arg.substr(2);
            std::optional<std::string> inline_value;
            if (const auto equals = name.find('='); equals != std::string::npos) {
                inline_value = name.substr(equals + 1);
                name = name.substr(0, equals);
            }
            const Spec& s = spec(name);
            if (!s.takes_value) {
                if (inline_value) throw UsageError("--" + name + " takes no value");
                values_[name].push_back("1");
                continue;
            }
            std::string value;
            if (inline_value) {
                value = *inline_value;
            } else {
                if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value (" + s.value_name + ")");
                value = args[++i];
            }
            auto& slot = values_[name];
            if (!s.repeatable && !slot.empty()) throw UsageError("--" + name + " given more than once");
            slot.push_back(value);
            continue;
        }
        if (next_positional >= positionals_.size()) throw UsageError("unexpected argument '" + arg + "'");
        values_[positionals_[next_positional++].first].push_back(arg);
    }
    if (has("help")) {
        std::cout << help();
        return false;
    }
    for (std::size_t p = next_positional; p < positionals_.size(); ++p) {
        if (positional_required_[p]) throw UsageError("missing argument " + positionals_[p].first);
    }
    return true;
}

std::optional<std::string> ArgParser::get(const std::string& name) const {
    const auto found = values_.find(name);
    if (found != values_.end() && !found->second.empty()) return found->second.back();
    for (const auto& s : options_) {
        if (s.name == name) return s.default_value;
    }
    return std::nullopt;
}

std::string ArgParser::value(const std::string& name) const {
    auto v = get(name);
    if (!v) throw UsageError("missing --" + name);
    return *v;
}

std::vector<std::string> ArgParser::all(const std::string& name) const {
    const auto found = values_.find(name);
    return found == values_.end() ? std::vector<std::string>{} : found->second;
}

bool ArgParser::has(const std::string& name) const {
    const auto found = values_.find(name);
    return found != values_.end() && !found->second.empty();
}

long long ArgParser::integer(const std::string& name) const {
    const std::string text = value(name);
    long long result = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw UsageError("--" + name + " expects a whole number, got '" + text + "'");
    }
    return result;
}

std::vector<std::int64_t> ArgParser::integers(const std::string& name) const {
    const std::string text = value(name);
    std::vector<std::int64_t> result;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::int64_t item = 0;
        const char* first = text.data() + start;
        const char* last = text.data() + comma;
        const auto [end, error] = std::from_chars(first, last, item);
        if (first == last || error != std::errc() || end != last) {
            throw UsageError("--" + name + " expects comma-separated whole numbers, got '" + text + "'");
        }
        result.push_back(item);
        start = comma + 1;
    }
    return result;
}

double ArgParser::number(const std::string& name) const {
    const std::string text = value(name);
    double result = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(result)) {
        throw UsageError("--" + name + " expects a number, got '" + text + "'");
    }
    return result;
}

std::string ArgParser::help() const {
    std::string text = "usage: " + program_;
    for (std::size_t p = 0; p < positionals_.size(); ++p) {
        text += positional_required_[p] ? " " + positionals_[p].first : " [" + positionals_[p].first + "]";
    }
    text += " [options]";
    if (!rest_name_.empty()) text += " -- " + rest_name_ + "...";
    text += "\n\n" + summary_ + "\n";
    if (!positionals_.empty() || !rest_name_.empty()) text += "\narguments:\n";
    for (const auto& [name, help] : positionals_) text += "  " + name + "\n      " + help + "\n";
    if (!rest_name_.empty()) text += "  " + rest_name_ + "...\n      " + rest_help_ + "\n";
    text += "\noptions:\n";
    for (const auto& s : options_) {
        std::string head = "  --" + s.name + (s.takes_value ? " " + s.value_name : "");
        text += head + "\n      " + s.help;
        if (s.default_value) text += " (default: " + *s.default_value + ")";
        if (s.repeatable) text += " (may be repeated)";
        text += "\n";
    }
    return text;
}

}  // namespace edgebench::cli
