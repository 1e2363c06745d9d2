using Microsoft.Extensions.Diagnostics.HealthChecks;
using TypedSocketIo.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The Socket.IO server's health check.</summary>
public static class SocketIoHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds a check (named <paramref name="name"/>, default <c>socketio</c>) that is Healthy while the
    /// Socket.IO server serves, with its clients, sockets and namespaces as data (and <c>cluster</c>,
    /// the state of cluster adapters: Degraded while one cannot reach the other servers), and
    /// <paramref name="failureStatus"/> (default Unhealthy) once it is closed (the host is stopping)
    /// or when it was never mapped.
    /// </summary>
    public static IHealthChecksBuilder AddSocketIo(this IHealthChecksBuilder builder, string name = "socketio",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => new SocketIoHealthCheck(services.GetRequiredService<SocketIoServer>()),
            failureStatus,
            tags));
    }
}

internal sealed class SocketIoHealthCheck(SocketIoServer server) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        int sockets = 0;
        int clusterNamespaces = 0;
        var disconnected = new List<string>();
        foreach (Namespace nsp in server.Namespaces.Values)
        {
            sockets += nsp.Sockets.Count;
            if (nsp.Adapter is TypedSocketIo.Server.Cluster.ClusterAdapter cluster)
            {
                clusterNamespaces++;
                if (!cluster.Transport.IsConnected)
                {
                    disconnected.Add(nsp.Name);
                }
            }
        }

        var data = new Dictionary<string, object>
        {
            ["clients"] = server.Engine.SessionCount,
            ["sockets"] = sockets,
            ["namespaces"] = server.Namespaces.Count,
        };
        if (clusterNamespaces > 0)
        {
            data["cluster"] = disconnected.Count == 0 ? "connected" : "disconnected";
        }

        HealthStatus failure = context.Registration.FailureStatus;
        HealthCheckResult result = server.IsClosed
            ? new HealthCheckResult(failure, "The Socket.IO server is closed (the host is stopping).", data: data)
            : !server.IsMapped
                ? new HealthCheckResult(failure, "The Socket.IO server is not mapped: call app.MapSocketIo().", data: data)
                : disconnected.Count > 0
                    ? HealthCheckResult.Degraded($"The cluster adapter of {string.Join(", ", disconnected)} cannot reach the other servers: only local clients are served.", data: data)
                    : HealthCheckResult.Healthy($"The Socket.IO server serves {data["clients"]} client(s).", data);
        return Task.FromResult(result);
    }
}
