using System.Text.Json;
using TypedSocketIo.Server;
using TypedSocketIo.TestContracts.Plain;
using TypedSocketIo.Testing;

// IPlainEvents lives in an assembly that did not run the generator: its code is generated here.
[assembly: TypedSocketIo.SocketIoContracts(typeof(IPlainEvents))]

namespace TypedSocketIo.Interop.Tests.Typed;

/// <summary>A contract imported with [assembly: SocketIoContracts], driven by socket.io-client 4.8.</summary>
public sealed class ImportedContractInteropTests
{
    private static string Args(JsonElement e) => e.GetProperty("args").GetRawText();

    [Fact]
    public void The_imported_contract_is_registered_by_this_assembly_with_its_wire_names()
    {
        Assert.True(SocketIoContract<IPlainEvents>.IsRegistered);
        Assert.Equal(
            ["read_sensor/1/True", "sensor_alert/2/False", "sensor:reset/1/True"],
            SocketIoContract<IPlainEvents>.Events.Select(e => $"{e.Name}/{e.ParameterCount}/{e.ExpectsAck}").ToArray());
    }

    [Fact]
    public async Task Imported_contract_handlers_and_emits_work_end_to_end()
    {
        await using var host = await SocketIoTestHost.StartAsync((io, h) =>
            io.Of<IPlainEvents, IPlainEvents>("/plant").OnConnection(socket =>
            {
                socket.On.ReadSensor(sensor => new Reading(sensor, 21.5, ["celsius", "indoor"]));
                socket.On.SensorAlert((reading, snapshot) => h.Record("alert", $"{reading.Sensor}|{reading.Value}|{string.Join(',', reading.Tags)}|{Convert.ToHexString(snapshot)}"));
                socket.On.ResetSensor(async (sensor, cancellationToken) =>
                {
                    await Task.Delay(1, cancellationToken);
                    h.Record("reset", sensor);
                });
                socket.On.SensorAlert((reading, _) => { }); // a second handler of the same event
                h.Record("socket", socket.Id);
            }));
        await using var client = await SioDriver.StartAsync();
        await client.ConnectAsync("c", host.Url("/plant"));
        await host.NextAsync("socket");

        int seq = await client.EmitAsync("c", "read_sensor", ["t1"], ack: true, timeout: 5000);
        Assert.Equal("[{\"sensor\":\"t1\",\"value\":21.5,\"tags\":[\"celsius\",\"indoor\"]}]", Args(await client.AckAsync("c", seq)));

        await client.EmitAsync("c", "sensor_alert", [new { sensor = "t2", value = -3, tags = new[] { "x" } }, SioDriver.Bin(0xCA, 0xFE)]);
        Assert.Equal("t2|-3|x|CAFE", await host.NextAsync("alert"));

        seq = await client.EmitAsync("c", "sensor:reset", ["t3"], ack: true, timeout: 5000);
        Assert.Equal("[]", Args(await client.AckAsync("c", seq)));
        Assert.Equal("t3", await host.NextAsync("reset"));

        // Server to client through the same imported contract.
        var plant = host.Io.Of<IPlainEvents, IPlainEvents>("/plant");
        plant.Emit.SensorAlert(new Reading("t4", 0.25, []), [1, 2, 3]);
        Assert.Equal("[{\"sensor\":\"t4\",\"value\":0.25,\"tags\":[]},{\"$binary\":\"AQID\"}]", Args(await client.MessageAsync("c", "sensor_alert")));

        Task<IReadOnlyList<Reading>> readings = plant.Timeout(TimeSpan.FromSeconds(5)).EmitWithAck.ReadSensor("t5");
        JsonElement question = await client.MessageAsync("c", "read_sensor");
        Assert.Equal("[\"t5\"]", Args(question));
        await client.SendAckAsync("c", question.GetProperty("ackId").GetInt64(), new { sensor = "t5", value = 7.5, tags = new[] { "a" } });
        Reading answer = Assert.Single(await readings.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(("t5", 7.5, "a"), (answer.Sensor, answer.Value, string.Join(',', answer.Tags)));
    }
}
