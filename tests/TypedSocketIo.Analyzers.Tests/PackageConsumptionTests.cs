using TypedSocketIo.Analyzers.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TypedSocketIo.Analyzers.Tests;

/// <summary>
/// The generator and analyzers loaded by the compiler the SDK ships, handed to it as the NuGet
/// package hands them (analyzers/dotnet/cs): they must load (no CS9057 for a newer Roslyn, no
/// CS8032 for an analyzer that cannot be created, no AD0001), and their rules must act on the build.
/// </summary>
public sealed class PackageConsumptionTests(ITestOutputHelper output)
{
    /// <summary>What the compiler says when an analyzer or generator does not load or throws.</summary>
    private static readonly string[] LoadFailures = { "CS9057", "CS8032", "CS8033", "AD0001" };

    [Fact]
    public async Task A_reserved_event_name_fails_the_build_with_TSIO100()
    {
        using var consumer = PackageConsumer.Create("""
            using TypedSocketIo;

            namespace Consumer;

            [SocketIoEvents]
            public interface IMyEvents
            {
                void Hello(string name);

                void Disconnect(string reason);
            }
            """);

        BuildResult build = await consumer.BuildAsync();
        output.WriteLine(build.Output);

        Assert.True(build.ExitCode != 0, "The build succeeded:" + Environment.NewLine + build.Output);
        Assert.Contains("error TSIO100", build.Output, StringComparison.Ordinal);
        Assert.Contains("'disconnect' is a reserved event name", build.Output, StringComparison.Ordinal);
        AssertLoaded(build);
        string[] otherErrors = ErrorLines(build).Where(l => !l.Contains("error TSIO100", StringComparison.Ordinal)).ToArray();
        Assert.True(otherErrors.Length == 0, "Errors other than TSIO100:" + Environment.NewLine + string.Join(Environment.NewLine, otherErrors));
    }

    [Fact]
    public async Task A_valid_contract_builds_with_its_generated_members_and_the_usage_rules_run()
    {
        // Hello(…) on Listeners<IMyEvents> exists only if the generator ran; the broadcast
        // acknowledgement without a timeout is TSIO201, a warning.
        using var consumer = PackageConsumer.Create("""
            using TypedSocketIo;
            using TypedSocketIo.Server;

            namespace Consumer;

            [SocketIoEvents]
            public interface IMyEvents
            {
                void Hello(string name);

                Task<int> Count();
            }

            public static class Use
            {
                public static IDisposable Register(Listeners<IMyEvents> listeners) =>
                    listeners.Hello(name => Console.WriteLine(name));

                public static bool Registered => SocketIoContract<IMyEvents>.IsRegistered;

                public static async Task Ask(SocketIoServer io) => await io.To("room").EmitWithAck("count");
            }
            """, server: true);

        BuildResult build = await consumer.BuildAsync();
        output.WriteLine(build.Output);

        Assert.True(build.ExitCode == 0, "The build failed:" + Environment.NewLine + build.Output);
        Assert.Contains("warning TSIO201", build.Output, StringComparison.Ordinal);
        AssertLoaded(build);
        Assert.Empty(ErrorLines(build));
    }

    private static void AssertLoaded(BuildResult build)
    {
        foreach (string id in LoadFailures)
        {
            Assert.False(build.Output.Contains(id, StringComparison.Ordinal), $"The build reports {id}:{Environment.NewLine}{build.Output}");
        }
    }

    private static string[] ErrorLines(BuildResult build) =>
        build.Output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToArray();
}
