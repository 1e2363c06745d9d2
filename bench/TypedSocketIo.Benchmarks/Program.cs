using BenchmarkDotNet.Running;

// The benchmarks run in this process (--inProcess is added unless given): BenchmarkDotNet's
// default toolchain would generate and build a project of its own, with this repository's projects
// built into their default output folders. Everything else comes from the command line, for
// example: --filter '*' --job short
string[] arguments = args.Any(a => a is "--inProcess" or "-i") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
