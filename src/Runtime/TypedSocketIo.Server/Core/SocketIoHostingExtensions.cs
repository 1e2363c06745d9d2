using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Hosting of the Socket.IO server in ASP.NET Core.</summary>
public static class SocketIoHostingExtensions
{
    /// <summary>Registers the Socket.IO server (one per application) and its options.</summary>
    public static ISocketIoBuilder AddSocketIo(this IServiceCollection services, Action<SocketIoServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<SocketIoServerOptions> options = services.AddOptions<SocketIoServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<SocketIoMarkerService>();
        services.TryAddSingleton(sp => new SocketIoServer(
            sp.GetRequiredService<IOptions<SocketIoServerOptions>>().Value,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance) { Services = sp });
        return new SocketIoBuilder(services);
    }

    /// <summary>
    /// Serves the Socket.IO server at <paramref name="path"/> (default <c>/socket.io/</c>) and returns
    /// it, to configure namespaces and, as a convention builder, the endpoint.
    /// </summary>
    public static SocketIoServer MapSocketIo(this IEndpointRouteBuilder endpoints, string path = "/socket.io/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        IServiceProvider services = endpoints.ServiceProvider;
        if (services.GetService<SocketIoMarkerService>() is null)
        {
            throw new InvalidOperationException("Call builder.Services.AddSocketIo() before MapSocketIo().");
        }

        SocketIoServer server = services.GetRequiredService<SocketIoServer>();
        server.Options.Validate();
        server.SetEndpoint(EngineIOEndpointRouteBuilderExtensions.MapServer(endpoints, path, server.Engine));
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(server.Close);
        return server;
    }
}

/// <summary>Returned by <c>AddSocketIo</c>, for further configuration.</summary>
public interface ISocketIoBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }
}

internal sealed class SocketIoBuilder(IServiceCollection services) : ISocketIoBuilder
{
    public IServiceCollection Services { get; } = services;
}

internal sealed class SocketIoMarkerService;
