namespace TypedSocketIo.Analyzers.Tests.Infrastructure;

/// <summary>Test sources: contracts and a method body with the server's untyped and typed objects in scope.</summary>
internal static class Sources
{
    /// <summary>The usings and contracts every <see cref="InMethod"/> source starts with.</summary>
    public const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using TypedSocketIo;
        using TypedSocketIo.Server;

        namespace App;

        /// <summary>What clients send.</summary>
        [SocketIoEvents]
        public interface IClientEvents
        {
            void Hello(string name);

            [Event("chat message")]
            void Chat(string text);

            Task<int> Ask(string question);
        }

        /// <summary>What the server sends.</summary>
        [SocketIoEvents]
        public interface IServerEvents
        {
            void Greet(string text);

            Task<bool> Confirm(int id);

            ValueTask<string> AskName();
        }

        /// <summary>What the servers of a cluster send each other.</summary>
        [SocketIoEvents]
        public interface IClusterEvents
        {
            void Sync(string state);
        }

        """;

    /// <summary>
    /// <paramref name="body"/> inside <c>Code.Run</c>, where <c>io</c> (SocketIoServer), <c>socket</c>
    /// (Socket), <c>nsp</c> (Namespace), <c>typed</c> (Socket&lt;IClientEvents, IServerEvents&gt;),
    /// <c>typedNsp</c> (Namespace&lt;IClientEvents, IServerEvents&gt;), <c>clusterNsp</c>
    /// (Namespace&lt;IClientEvents, IServerEvents, IClusterEvents, string&gt;) and <c>timeout</c> are in scope.
    /// </summary>
    public static string InMethod(string body, string members = "") => Prelude + $$"""
        public static class Code
        {
            public static async Task Run(
                SocketIoServer io,
                Socket socket,
                Namespace nsp,
                Socket<IClientEvents, IServerEvents> typed,
                Namespace<IClientEvents, IServerEvents> typedNsp,
                Namespace<IClientEvents, IServerEvents, IClusterEvents, string> clusterNsp,
                TimeSpan timeout)
            {
        {{Indent(body, 8)}}
                await Task.CompletedTask;
            }
        {{Indent(members, 4)}}
        }

        """;

    private static string Indent(string text, int spaces)
    {
        string pad = new(' ', spaces);
        return string.Join("\n", text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }
}
