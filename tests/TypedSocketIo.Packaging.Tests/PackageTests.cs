namespace TypedSocketIo.Packaging.Tests;

/// <summary>The packed packages: their contents, and a fresh project that consumes them.</summary>
public sealed class PackageTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);

    private const string Contracts = """
        public sealed record JoinResult(bool Ok, string Room);

        [TypedSocketIo.SocketIoEvents]
        public interface IClientEvents
        {
            Task<JoinResult> Join(string room);

            void Hello(string name);
        }

        [TypedSocketIo.SocketIoEvents]
        public interface IServerEvents
        {
            void Welcome(string text);
        }
        """;

    [Fact]
    public void The_packages_carry_their_library_docs_readme_license_and_metadata()
    {
        foreach (string id in PackedPackages.Ids)
        {
            IReadOnlyList<string> entries = packages.Entries(id);
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
            Assert.Contains("README.md", entries);
            Assert.Contains("LICENSE", entries);

            string nuspec = packages.Nuspec(id);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Matches("<repository type=\"git\"[^>]* commit=\"[0-9a-f]{40}\"", nuspec);
            Assert.Contains("<description>", nuspec);
        }

        // The generator, the analyzers and the code fixes ride in the core package.
        IReadOnlyList<string> core = packages.Entries("TypedSocketIo");
        Assert.Contains("analyzers/dotnet/cs/TypedSocketIo.Generator.dll", core);
        Assert.Contains("analyzers/dotnet/cs/TypedSocketIo.Analyzers.dll", core);
        Assert.Contains("analyzers/dotnet/cs/TypedSocketIo.Analyzers.CodeFixes.dll", core);

        // So do the MSBuild files of the TypeScript declarations, for direct and transitive references.
        foreach (string folder in new[] { "build", "buildTransitive" })
        {
            Assert.Contains($"{folder}/TypedSocketIo.props", core);
            Assert.Contains($"{folder}/TypedSocketIo.targets", core);
        }

        // The server needs ASP.NET Core; the client does not.
        string server = packages.Nuspec("TypedSocketIo.Server");
        Assert.Contains("<frameworkReference name=\"Microsoft.AspNetCore.App\"", server);
        Assert.Contains($"<dependency id=\"TypedSocketIo\" version=\"{packages.Version}\"", server);
        string client = packages.Nuspec("TypedSocketIo.Client");
        Assert.DoesNotContain("Microsoft.AspNetCore.App", client);
        Assert.Contains($"<dependency id=\"TypedSocketIo\" version=\"{packages.Version}\"", client);
    }

    [Fact]
    public async Task A_fresh_project_builds_with_the_generated_code_and_runs_a_typed_round_trip()
    {
        string project = packages.CreateProject("App", """
            using System.Net;
            using TypedSocketIo.Client;

            var builder = WebApplication.CreateSlimBuilder(args);
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            builder.Logging.ClearProviders();
            builder.Services.AddSocketIo();
            var app = builder.Build();
            app.MapSocketIo().Server.Of<IClientEvents, IServerEvents>("/app").OnConnection(socket =>
            {
                socket.On.Join(room => new JoinResult(true, room));
                socket.On.Hello(name => socket.Emit.Welcome("hello " + name));
            });
            await app.StartAsync();

            await using var client = SocketIoClient.Create<IServerEvents, IClientEvents>(new Uri(new Uri(app.Urls.First()), "/app"));
            var welcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.On.Welcome(text => welcome.TrySetResult(text));
            await client.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(30));
            JoinResult joined = await client.Timeout(TimeSpan.FromSeconds(30)).Emit.Join("lobby");
            client.Emit.Hello("package");
            string text = await welcome.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Console.WriteLine($"typed round trip: {joined.Ok} {joined.Room} {text}");
            await app.StopAsync();

            """ + Contracts);

        CommandResult build = await Dotnet.RunAsync(project, BuildTimeout, "build", "-nologo", "-warnaserror");
        Assert.True(build.ExitCode == 0, "The build failed:\n" + build.Output);
        AssertComponentsLoaded(build);

        CommandResult run = await Dotnet.RunAsync(project, TimeSpan.FromMinutes(2), "run", "--no-build");
        Assert.True(run.ExitCode == 0, "The program failed:\n" + run.Output);
        Assert.Contains("typed round trip: True lobby hello package", run.Output);
    }

    [Fact]
    public async Task A_reserved_event_name_fails_the_build_with_TSIO100()
    {
        string project = packages.CreateProject("Reserved", """
            Console.WriteLine("never built");

            [TypedSocketIo.SocketIoEvents]
            public interface IBadEvents
            {
                void Disconnect(string reason);
            }
            """, sdk: "Microsoft.NET.Sdk");

        CommandResult build = await Dotnet.RunAsync(project, BuildTimeout, "build", "-nologo");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error TSIO100", build.Output);
        Assert.Contains("'disconnect'", build.Output);
        AssertComponentsLoaded(build);
    }

    [Fact]
    public async Task GenerateSocketIoTypeScript_writes_the_declarations_next_to_the_assembly()
    {
        string project = packages.CreateProject("Declarations", """
            Console.WriteLine("contracts only");

            """ + Contracts, sdk: "Microsoft.NET.Sdk", properties: "<GenerateSocketIoTypeScript>true</GenerateSocketIoTypeScript>");

        CommandResult build = await Dotnet.RunAsync(project, BuildTimeout, "build", "-nologo", "-warnaserror");
        Assert.True(build.ExitCode == 0, "The build failed:\n" + build.Output);
        AssertComponentsLoaded(build);

        string declarations = Path.Combine(project, "bin", "Debug", "net10.0", "Declarations.d.ts");
        Assert.True(File.Exists(declarations), $"No {declarations}:\n{build.Output}");
        string text = File.ReadAllText(declarations);
        Assert.Contains("export interface IClientEvents {", text);
        Assert.Contains("  join: (room: string, callback: (result: JoinResult) => void) => void;", text);
        Assert.Contains("  welcome: (text: string) => void;", text);
        Assert.Contains("export interface JoinResult {\n  ok: boolean;\n  room: string;\n}", text);
        Assert.DoesNotContain("TYPEDSOCKETIO", text); // the markers stay in the generated C# file

        // A second build leaves the file as it is (written only when its text changes).
        DateTime written = File.GetLastWriteTimeUtc(declarations);
        CommandResult again = await Dotnet.RunAsync(project, BuildTimeout, "build", "-nologo", "-warnaserror");
        Assert.True(again.ExitCode == 0, "The second build failed:\n" + again.Output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(declarations));
    }

    /// <summary>The compiler loaded the generator and analyzers (no CS9057 for a newer Roslyn, no CS8032, no AD0001).</summary>
    private static void AssertComponentsLoaded(CommandResult build)
    {
        foreach (string failure in new[] { "CS9057", "CS8032", "CS8033", "AD0001" })
        {
            Assert.DoesNotContain(failure, build.Output);
        }
    }
}
