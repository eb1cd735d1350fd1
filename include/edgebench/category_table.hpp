#pragma once
/// \file
/// The table of object classes of a dataset or a detector, looked up by COCO category id.

#include <cstddef>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edgebench/types.hpp"

namespace edgebench {

/// Categories in a fixed order (the order they were given in, as COCO files list them) with lookup by
/// id. Ids are unique; adding a duplicate throws `Error`.
class CategoryTable {
public:
    CategoryTable() = default;
    explicit CategoryTable(std::vector<Category> categories);

    /// The 80 COCO detection categories with their official ids (1..90, ten unused) and names.
    static const CategoryTable& coco();

    void add(Category category);

    std::size_t size() const noexcept { return categories_.size(); }
    bool empty() const noexcept { return categories_.empty(); }
    bool contains(Id id) const noexcept { return index_.count(id) != 0; }
    /// Position of `id` in the table; throws `Error` for an unknown id.
    std::size_t index_of(Id id) const;
    /// The category with `id`; throws `Error` for an unknown id.
    const Category& at(Id id) const;
    /// The category with `name`, if any.
    std::optional<Category> find_by_name(std::string_view name) const;
    const Category& operator[](std::size_t position) const { return categories_[position]; }

    const std::vector<Category>& categories() const noexcept { return categories_; }
    std::vector<Id> ids() const;
    auto begin() const noexcept { return categories_.begin(); }
    auto end() const noexcept { return categories_.end(); }

    friend bool operator==(const CategoryTable& a, const CategoryTable& b) { return a.categories_ == b.categories_; }

private:
    std::vector<Category> categories_;
    std::unordered_map<Id, std::size_t> index_;
};

}  // namespace edgebench
