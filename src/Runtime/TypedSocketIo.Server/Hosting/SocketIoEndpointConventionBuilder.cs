using Microsoft.AspNetCore.Builder;

namespace TypedSocketIo.Server;

/// <summary>
/// Returned by <c>MapSocketIo</c>: configures the Socket.IO endpoint and, when the client bundle is
/// served, its endpoints alike (<c>RequireCors</c>, <c>RequireAuthorization</c>, …), and carries the
/// server (<see cref="Server"/>), as <c>MapEngineIo</c>'s builder carries its Engine.IO server.
/// </summary>
public sealed class SocketIoEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IEndpointConventionBuilder[] _endpoints;

    internal SocketIoEndpointConventionBuilder(IEndpointConventionBuilder[] endpoints, SocketIoServer server)
    {
        _endpoints = endpoints;
        Server = server;
    }

    /// <summary>The Socket.IO server behind the endpoint.</summary>
    public SocketIoServer Server { get; }

    /// <summary>The server behind the endpoint, so that <c>SocketIoServer io = app.MapSocketIo();</c> reads naturally.</summary>
    public static implicit operator SocketIoServer(SocketIoEndpointConventionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Server;
    }

    /// <inheritdoc />
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (IEndpointConventionBuilder endpoint in _endpoints)
        {
            endpoint.Add(convention);
        }
    }

    /// <inheritdoc />
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (IEndpointConventionBuilder endpoint in _endpoints)
        {
            endpoint.Finally(finallyConvention);
        }
    }
}
