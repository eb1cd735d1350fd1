// A reader for the few protobuf fields we need, following the protobuf wire format (varints, and
// length-delimited fields for messages and strings) and onnx.proto's field numbers:
//   ModelProto.graph = 7; GraphProto.initializer = 5, GraphProto.input = 11; TensorProto.name = 8;
//   ValueInfoProto.name = 1, .type = 2; TypeProto.tensor_type = 1; TypeProto.Tensor.shape = 2;
//   TensorShapeProto.dim = 1; Dimension.dim_value = 1 (dim_param = 2 is symbolic).

#include "detectors/onnx_input_shape.hpp"

#include <set>
#include <string>
#include <string_view>

namespace edgebench::detail {
namespace {

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    bool done() const noexcept { return position_ >= bytes_.size() || failed_; }
    bool failed() const noexcept { return failed_; }

    /// The next field's number and wire type; false at the end or on damage.
    bool next(std::uint64_t& field, int& wire_type) {
        if (done()) return false;
        const std::uint64_t key = varint();
        field = key >> 3;
        wire_type = static_cast<int>(key & 7);
        return !failed_ && field != 0;
    }

    std::uint64_t varint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position_ >= bytes_.size()) break;
            const std::uint8_t byte = bytes_[position_++];
            value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        failed_ = true;
        return 0;
    }

    std::span<const std::uint8_t> bytes() {
        const std::uint64_t length = varint();
        if (failed_ || length > bytes_.size() - position_) {
            failed_ = true;
            return {};
        }
        const auto result = bytes_.subspan(position_, static_cast<std::size_t>(length));
        position_ += static_cast<std::size_t>(length);
        return result;
    }

    void skip(int wire_type) {
        switch (wire_type) {
            case 0: varint(); break;
            case 1: advance(8); break;
            case 2: bytes(); break;
            case 5: advance(4); break;
            default: failed_ = true;  // groups (3, 4) are not used by ONNX
        }
    }

private:
    void advance(std::size_t count) {
        if (count > bytes_.size() - position_) failed_ = true;
        else position_ += count;
    }

    std::span<const std::uint8_t> bytes_;
    std::size_t position_ = 0;
    bool failed_ = false;
};

std::string_view as_text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The length-delimited field `wanted` of a message, or an empty span.
std::span<const std::uint8_t> submessage(std::span<const std::uint8_t> message, std::uint64_t wanted) {
    Reader reader(message);
    std::uint64_t field = 0;
    int wire_type = 0;
    while (reader.next(field, wire_type)) {
        if (field == wanted && wire_type == 2) return reader.bytes();
        reader.skip(wire_type);
    }
    return {};
}

std::vector<std::int64_t> dims_of(std::span<const std::uint8_t> value_info) {
    const auto shape = submessage(submessage(submessage(value_info, 2), 1), 2);
    std::vector<std::int64_t> dims;
    Reader reader(shape);
    std::uint64_t field = 0;
    int wire_type = 0;
    while (reader.next(field, wire_type)) {
        if (field != 1 || wire_type != 2) {
            reader.skip(wire_type);
            continue;
        }
        std::int64_t value = -1;
        Reader dim(reader.bytes());
        std::uint64_t dim_field = 0;
        int dim_wire = 0;
        while (dim.next(dim_field, dim_wire)) {
            if (dim_field == 1 && dim_wire == 0) value = static_cast<std::int64_t>(dim.varint());
            else dim.skip(dim_wire);
        }
        dims.push_back(value > 0 ? value : -1);
    }
    return dims;
}

}  // namespace

std::optional<std::vector<std::int64_t>> onnx_input_shape(std::span<const std::uint8_t> model) noexcept {
    try {
        const auto graph = submessage(model, 7);
        if (graph.empty()) return std::nullopt;
        std::set<std::string, std::less<>> initializers;
        std::vector<std::span<const std::uint8_t>> inputs;
        Reader reader(graph);
        std::uint64_t field = 0;
        int wire_type = 0;
        while (reader.next(field, wire_type)) {
            if (wire_type == 2 && (field == 5 || field == 11)) {
                const auto message = reader.bytes();
                if (field == 11) inputs.push_back(message);
                else initializers.insert(std::string(as_text(submessage(message, 8))));
            } else {
                reader.skip(wire_type);
            }
        }
        if (reader.failed()) return std::nullopt;
        for (const auto& input : inputs) {
            if (initializers.count(as_text(submessage(input, 1))) == 0) return dims_of(input);
        }
        return std::nullopt;
    } catch (...) {  // std::bad_alloc: treat as unreadable
        return std::nullopt;
    }
}

}  // namespace edgebench::detail
