// edgebench-edge: an edge node over HTTP. All logic is in the library.
#include "apps/node_main.hpp"
#include "apps/program.hpp"

int main(int argc, char** argv) {
    return edgebench::apps::run_program("edgebench-edge", argc, argv, [](const std::vector<std::string>& args) {
        return edgebench::apps::run_node(edgebench::apps::NodeKind::Edge, args);
    });
}
