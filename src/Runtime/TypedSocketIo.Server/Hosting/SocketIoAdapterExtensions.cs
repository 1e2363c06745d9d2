using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Plugging an adapter (rooms and broadcasting of each namespace, e.g. a cluster adapter) into the server.</summary>
public static class SocketIoAdapterExtensions
{
    /// <summary>
    /// Makes every namespace use the adapter <paramref name="factory"/> creates (it is given the
    /// application's services). Replaces <see cref="SocketIoServerOptions.AdapterFactory"/>; the
    /// last call wins.
    /// </summary>
    public static ISocketIoBuilder AddAdapter(this ISocketIoBuilder builder, Func<IServiceProvider, Namespace, InMemoryAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton<IConfigureOptions<SocketIoServerOptions>>(services =>
            new ConfigureNamedOptions<SocketIoServerOptions>(Options.DefaultName, options => options.AdapterFactory = nsp => factory(services, nsp)));
        return builder;
    }
}
