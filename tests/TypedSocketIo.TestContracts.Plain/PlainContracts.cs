namespace TypedSocketIo.TestContracts.Plain;

/// <summary>A sensor reading.</summary>
public sealed record Reading(string Sensor, double Value, IReadOnlyList<string> Tags);

/// <summary>
/// A contract declared where no generator runs: the attribute only marks it, and a project that
/// imports it with [assembly: SocketIoContracts] gets its emitter and handler registration.
/// </summary>
[SocketIoEvents(NamingPolicy = EventNamingPolicy.SnakeCase)]
public interface IPlainEvents
{
    Task<Reading> ReadSensor(string sensor);

    void SensorAlert(Reading reading, byte[] snapshot);

    [Event("sensor:reset")]
    Task ResetSensor(string sensor, CancellationToken cancellationToken);
}
