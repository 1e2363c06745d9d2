using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace TypedSocketIo.Packaging.Tests;

/// <summary>What a dotnet command did.</summary>
public sealed record CommandResult(int ExitCode, string Output);

/// <summary>
/// The three packages, packed once per test run from the repository's sources into a temporary
/// local feed, with a version of their own so no cached package stands in for them.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public static readonly string[] Ids = ["TypedSocketIo", "TypedSocketIo.Server", "TypedSocketIo.Client"];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "typedsocketio-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach (string id in Ids)
        {
            CommandResult pack = await Dotnet.RunAsync(RepositoryRoot, TimeSpan.FromMinutes(6),
                "pack", Path.Combine(RepositoryRoot, "src", "Runtime", id, id + ".csproj"),
                "-c", "Release", "-o", Feed, "-p:Version=" + Version,
                "--artifacts-path", Path.Combine(Root, "artifacts"), "-nologo");
            Assert.True(pack.ExitCode == 0, $"dotnet pack {id} failed:\n{pack.Output}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>The entries of a packed package.</summary>
    public IReadOnlyList<string> Entries(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>The nuspec of a packed package.</summary>
    public string Nuspec(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
        using var reader = new StreamReader(zip.GetEntry(id + ".nuspec")!.Open());
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A fresh console project in its own folder that references the packages from the local feed
    /// (nuget.org for their dependencies), with its own package cache.
    /// </summary>
    public string CreateProject(string name, string programSource, string? sdk = "Microsoft.NET.Sdk.Web", string properties = "")
    {
        string directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);

        // Nothing of the repository may shape the build.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TypedSocketIo" Version="{Version}" />
                <PackageReference Include="TypedSocketIo.Server" Version="{Version}" />
                <PackageReference Include="TypedSocketIo.Client" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), programSource);
        return directory;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedSocketIo.sln")))
            {
                return dir.FullName;
            }
        }

        string? built = typeof(PackedPackages).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "TypedSocketIo.sln")))
        {
            return built;
        }

        throw new InvalidOperationException("The repository (TypedSocketIo.sln) was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Runs the dotnet CLI as a child process, bounded.</summary>
public static class Dotnet
{
    public static async Task<CommandResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // A child build must not reuse this run's build servers or inherit test-host settings.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("MSBuildExtensionsPath");
        info.Environment.Remove("MSBuildSDKsPath");
        info.Environment.Remove("MSBUILD_EXE_PATH");

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = new StringBuilder();
        Task stdout = Pump(process.StandardOutput, output);
        Task stderr = Pump(process.StandardError, output);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took longer than {timeout}:\n{output}");
        }

        await Task.WhenAll(stdout, stderr);
        return new CommandResult(process.ExitCode, output.ToString());
    }

    private static async Task Pump(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
