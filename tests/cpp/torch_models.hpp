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
/// Runs Python code (a script's text); throws with its output when it fails.
void run_python(const std::string& code);

/// torchvision architecture `name` with random weights (`--weights none`, nothing downloaded), exported
/// once into the build tree (build/tests/torchvision-models/NAME.pt) and reused by later tests.
std::filesystem::path torchvision_model(const std::string& name);

}  // namespace edgebench::test
