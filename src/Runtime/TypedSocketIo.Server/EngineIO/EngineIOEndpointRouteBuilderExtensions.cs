using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TypedSocketIo.Server.EngineIO;
using TypedSocketIo.Server.EngineIO.Direct;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the bare Engine.IO layer, as Node's <c>engine.io</c> package offers it.</summary>
public static class EngineIOEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves Engine.IO at <paramref name="path"/> (with or without the trailing slash) and calls
    /// <paramref name="onConnection"/> for every new session. The returned builder configures the
    /// endpoint (<c>RequireCors</c>, <c>RequireAuthorization</c>, …) and exposes the server.
    /// </summary>
    public static EngineIOEndpointConventionBuilder MapEngineIo(
        this IEndpointRouteBuilder endpoints,
        string path,
        Action<EngineSocket> onConnection,
        Action<EngineIOOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(onConnection);
        var options = new EngineIOOptions();
        configure?.Invoke(options);
        EngineIOServer server = CreateServer(endpoints, options);
        server.Connection += onConnection;
        return new EngineIOEndpointConventionBuilder(MapServer(endpoints, path, server), server);
    }

    internal static EngineIOServer CreateServer(IEndpointRouteBuilder endpoints, EngineIOOptions options)
    {
        IServiceProvider services = endpoints.ServiceProvider;
        ILoggerFactory loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var server = new EngineIOServer(options, loggerFactory.CreateLogger<EngineIOServer>())
        {
            Metrics = new EngineMetrics(services.GetService<System.Diagnostics.Metrics.IMeterFactory>()),
        };
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(server.Close);
        return server;
    }

    internal static IEndpointConventionBuilder MapServer(IEndpointRouteBuilder endpoints, string path, EngineIOServer server)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string pattern = "/" + path.Trim('/');
        IApplicationBuilder pipeline = endpoints.CreateApplicationBuilder();
        pipeline.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        pipeline.Run(server.HandleRequestAsync);
        return endpoints.Map(pattern, pipeline.Build())
            .WithDisplayName($"Engine.IO {pattern}")
            .WithMetadata(new EngineIOEndpointMetadata(server));
    }
}

/// <summary>Configures a mapped Engine.IO endpoint and exposes its server.</summary>
public sealed class EngineIOEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IEndpointConventionBuilder _inner;

    internal EngineIOEndpointConventionBuilder(IEndpointConventionBuilder inner, EngineIOServer server)
    {
        _inner = inner;
        Server = server;
    }

    /// <summary>The Engine.IO server behind the endpoint.</summary>
    public EngineIOServer Server { get; }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention) => _inner.Add(convention);

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention) => _inner.Finally(finallyConvention);
}
