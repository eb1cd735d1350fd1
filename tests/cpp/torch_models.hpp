#pragma once
// TorchScript model files for the tests, made with Debian's python3-torch / python3-torchvision through
// edgebench's own exporter (python/edgebench/models), so that no model file but the built-in one is
// kept in the repository.

#include <filesystem>
#include <optional>
#include <string>

namespace edgebench::test {

/// The Python interpreter that sees python3-torch (Debian's /usr/bin/python3 unless configured).
std::string python_interpreter();
/// Whether that interpreter can import torch and torchvision; tests that need it skip otherwise.
bool python_has_torchvision();
/// The folder where `script` (Python code run with the folder as its one argument) left its files. Each
/// distinct script runs once per build tree (build/tests/KIND/<hash of the script>/) and later tests
/// reuse its outputs. Empty when the folder is not there and Python cannot import torch and torchvision.
std::filesystem::path python_outputs(const std::string& script, const std::string& kind);

/// torchvision architecture `name` with random weights (`--weights none`, nothing downloaded) and an
/// optional constructor argument (`box_score_thresh=0.0`), exported once into the build tree
/// (build/tests/torchvision-models/) and reused by later tests. Empty when it is not there and Python
/// cannot import torch and torchvision.
std::filesystem::path torchvision_model(const std::string& name, const std::string& option = "");

}  // namespace edgebench::test
