using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TypedSocketIo.Aot.Tests;

/// <summary>
/// <c>dotnet publish -c Release -r linux-x64 -p:PublishAot=true</c> of a sample project into
/// artifacts/aot/&lt;hash&gt;/&lt;name&gt;, where the hash covers every input (the runtime libraries,
/// the generator, the samples, the build files and the SDK version): a second run with the same
/// inputs reuses the binary. The build output goes to its own artifacts path, apart from the
/// solution's. A trim or AOT warning (IL2xxx, IL3xxx) fails the publish.
/// </summary>
internal static partial class AotPublish
{
    private static readonly string[] InputDirectories = ["src/Runtime", "src/Generator", "src/Analyzers", "src/Analyzers.CodeFixes", "src/Shared", "samples/Chat"];
    private static readonly string[] InputFiles = ["Directory.Build.props", "global.json", "src/Runtime/Directory.Build.props"];
    private static readonly string[] Ignored = ["bin", "obj", "node_modules"];

    /// <summary>The repository root (the directory holding TypedSocketIo.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Publishes (or reuses) <paramref name="project"/> (relative to the root); returns the native binary's path.</summary>
    public static async Task<string> PublishAsync(string project, TimeSpan limit)
    {
        string name = Path.GetFileNameWithoutExtension(project);
        string output = Path.Combine(Root, "artifacts", "aot", InputHash(), name);
        string binary = Path.Combine(output, name);
        if (File.Exists(binary))
        {
            return binary;
        }

        string staging = output + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "publish", Path.Combine(Root, project), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
            "-o", staging, "--artifacts-path", Path.Combine(Root, "artifacts", "aot", "build"), "-nologo", "-clp:NoSummary",
        })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet publish did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(limit))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"dotnet publish {project} took more than {limit}.");
            }
        }

        string log = await stdout + await stderr;
        string[] warnings = TrimOrAotWarning().Matches(log).Select(static m => m.Value).Distinct().ToArray();
        Assert.True(process.ExitCode == 0, $"dotnet publish {project} failed (exit {process.ExitCode}):\n{log}");
        Assert.True(warnings.Length == 0, $"dotnet publish {project} reported trim/AOT warnings:\n{string.Join('\n', warnings)}");
        Assert.True(File.Exists(Path.Combine(staging, name)), $"dotnet publish {project} wrote no native binary {name}:\n{log}");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.Move(staging, output);
        PruneOtherVersions(Path.GetDirectoryName(output)!);
        return binary;
    }

    /// <summary>Deletes the binaries of other inputs (every directory beside <paramref name="current"/> but the build output).</summary>
    private static void PruneOtherVersions(string current)
    {
        foreach (string directory in Directory.EnumerateDirectories(Path.GetDirectoryName(current)!))
        {
            if (directory != current && Path.GetFileName(directory) != "build")
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"[^\r\n]*\b(warning|error) IL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex TrimOrAotWarning();

    private static string InputHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(Environment.Version + "\n" + SdkVersion() + "\n"));
        var files = new List<string>();
        foreach (string directory in InputDirectories)
        {
            string full = Path.Combine(Root, directory);
            if (Directory.Exists(full))
            {
                files.AddRange(Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar).Any(part => Ignored.Contains(part))));
            }
        }

        files.AddRange(InputFiles.Select(f => Path.Combine(Root, f)).Where(File.Exists));
        files.Sort(StringComparer.Ordinal);
        foreach (string file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(Root, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static string SdkVersion()
    {
        var info = new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Root };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet --version did not start.");
        string version = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return version;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedSocketIo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TypedSocketIo.sln not found above " + AppContext.BaseDirectory);
    }
}
