using System.Diagnostics;
using System.Text;

namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>What a <c>dotnet build</c> of a consumer project did.</summary>
internal sealed record BuildResult(int ExitCode, string Output);

/// <summary>
/// A throwaway project, in its own temporary folder, that consumes TypedSocketIo the way the NuGet
/// package delivers it: TypedSocketIo.dll (and TypedSocketIo.Server.dll) as plain references from a
/// <c>lib/net10.0</c> folder, and the generator, analyzers and code fixes from an
/// <c>analyzers/dotnet/cs</c> folder handed to the compiler as <c>Analyzer</c> items — then built
/// with <c>dotnet build</c>, so the compiler the SDK ships loads them (the CS9057 trap).
/// </summary>
internal sealed class PackageConsumer : IDisposable
{
    /// <summary>What goes in the package's analyzers/dotnet/cs folder.</summary>
    public static readonly string[] AnalyzerAssemblies =
    {
        "TypedSocketIo.Generator.dll",
        "TypedSocketIo.Analyzers.dll",
        "TypedSocketIo.Analyzers.CodeFixes.dll",
    };

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private PackageConsumer(string directory) => Directory = directory;

    /// <summary>The temporary folder holding the package layout and the project.</summary>
    public string Directory { get; }

    /// <summary>Lays out the package and a net10.0 library project with <paramref name="source"/>.</summary>
    /// <param name="source">The project's one source file.</param>
    /// <param name="server">Whether the project also references TypedSocketIo.Server (and ASP.NET Core).</param>
    public static PackageConsumer Create(string source, bool server = false)
    {
        string directory = Path.Combine(Path.GetTempPath(), "typedsocketio-analyzers-" + Guid.NewGuid().ToString("N"));
        var consumer = new PackageConsumer(directory);
        try
        {
            string analyzers = Path.Combine(directory, "package", "analyzers", "dotnet", "cs");
            string lib = Path.Combine(directory, "package", "lib", "net10.0");
            System.IO.Directory.CreateDirectory(analyzers);
            System.IO.Directory.CreateDirectory(lib);
            foreach (string name in AnalyzerAssemblies)
            {
                File.Copy(BuiltAssembly(name), Path.Combine(analyzers, name));
            }

            var libraries = new List<string> { "TypedSocketIo.dll" };
            if (server)
            {
                libraries.Add("TypedSocketIo.Server.dll");
            }

            foreach (string name in libraries)
            {
                File.Copy(BuiltAssembly(name), Path.Combine(lib, name));
            }

            string project = Path.Combine(directory, "project");
            System.IO.Directory.CreateDirectory(project);

            // Nothing above the temporary folder may shape the build.
            File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

            var items = new StringBuilder();
            foreach (string name in libraries)
            {
                items.AppendLine($"    <Reference Include=\"{Path.Combine(lib, name)}\" />");
            }

            foreach (string name in AnalyzerAssemblies)
            {
                items.AppendLine($"    <Analyzer Include=\"{Path.Combine(analyzers, name)}\" />");
            }

            if (server)
            {
                items.AppendLine("    <FrameworkReference Include=\"Microsoft.AspNetCore.App\" />");
            }

            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                {items}  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Consumer.cs"), source);
            return consumer;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>dotnet build</c> on the project, within five minutes.</summary>
    public async Task<BuildResult> BuildAsync()
    {
        string project = Path.Combine(Directory, "project");
        var start = new ProcessStartInfo(DotNet())
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "build", Path.Combine(project, "Consumer.csproj"),
            "--artifacts-path", Path.Combine(Directory, "artifacts"),
            "-nologo",
            "-v:minimal",
            "-nodeReuse:false",
            // A fresh compiler process: nothing of the build outlives it.
            "-p:UseSharedCompilation=false",
            "-p:TreatWarningsAsErrors=false",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The test run's own MSBuild settings are not the child build's.
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        Assert.True(process.Start(), "dotnet build did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"dotnet build did not finish within {BuildTimeout}:{Environment.NewLine}{Text(output)}");
        }

        process.WaitForExit(); // the output streams are drained
        return new BuildResult(process.ExitCode, Text(output));
    }

    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>An assembly built with the tests: the project references copy it next to them.</summary>
    private static string BuiltAssembly(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, name);
        Assert.True(File.Exists(path), $"{name} was not copied next to the tests ({AppContext.BaseDirectory}).");
        return path;
    }

    /// <summary>The dotnet the SDK runs under (it names itself to the processes it starts), else the one on the PATH.</summary>
    private static string DotNet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
