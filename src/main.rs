use clap::Parser;

fn main() {
    let cli = ekslint::cli::Cli::parse();
    std::process::exit(ekslint::cli::run(cli));
}
