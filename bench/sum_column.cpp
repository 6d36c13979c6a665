// The baseline of bench/stream.sh: the simplest C++ program that reads the
// one-column CSV and sums it (iostreams, no parsing tricks).
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sum_column FILE.csv\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string header;
  std::getline(in, header);
  double x = 0, sum = 0;
  long n = 0;
  while (in >> x) sum += x, ++n;
  std::cout << n << " values, mean " << sum / static_cast<double>(n) << "\n";
}
