using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server;
using TypedSocketIo.Server.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Hosting of the Socket.IO server in ASP.NET Core.</summary>
public static class SocketIoHostingExtensions
{
    /// <summary>
    /// Registers the Socket.IO server (one per application) and its options: the <c>SocketIo</c>
    /// section of the application's configuration when there is one (e.g. <c>SocketIo:PingInterval</c>),
    /// then <paramref name="configure"/>. The options are validated when the host starts.
    /// </summary>
    public static ISocketIoBuilder AddSocketIo(this IServiceCollection services, Action<SocketIoServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<SocketIoServerOptions>, SocketIoConfigureOptions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SocketIoServerOptions>, SocketIoOptionsValidator>());
        OptionsBuilder<SocketIoServerOptions> options = services.AddOptions<SocketIoServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(static d => d.ServiceType == typeof(SocketIoMarkerService)))
        {
            options.ValidateOnStart();
        }

        services.AddMetrics();
        services.TryAddSingleton<SocketIoMarkerService>();
        services.TryAddSingleton(static sp => new SocketIoServer(
            sp.GetRequiredService<IOptions<SocketIoServerOptions>>().Value,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetService<IMeterFactory>()) { Services = sp });
        return new SocketIoBuilder(services);
    }

    /// <summary>
    /// Serves the Socket.IO server at <paramref name="path"/> (default <c>/socket.io/</c>) and, unless
    /// <see cref="SocketIoServerOptions.ServeClient"/> is false, the official client bundles beside it
    /// (<c>/socket.io/socket.io.js</c>, …). Returns the endpoints' convention builder, which carries
    /// the server (<see cref="SocketIoEndpointConventionBuilder.Server"/>) to configure namespaces.
    /// </summary>
    public static SocketIoEndpointConventionBuilder MapSocketIo(this IEndpointRouteBuilder endpoints, string path = "/socket.io/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        IServiceProvider services = endpoints.ServiceProvider;
        if (services.GetService<SocketIoMarkerService>() is null)
        {
            throw new InvalidOperationException("Call builder.Services.AddSocketIo() before MapSocketIo().");
        }

        SocketIoServer server = services.GetRequiredService<SocketIoServer>();
        server.Options.Validate();
        server.MarkMapped();
        ClientBundle? bundle = server.Options.ServeClient ? ClientBundle.Require(ClientBundle.Instance) : null;
        IEndpointConventionBuilder engine = EngineIOEndpointRouteBuilderExtensions.MapServer(endpoints, path, server.Engine);
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(server.Close);
        return new SocketIoEndpointConventionBuilder(
            bundle is null ? [engine] : [engine, .. bundle.Map(endpoints, "/" + path.Trim('/'))],
            server);
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
