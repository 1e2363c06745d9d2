using System.Globalization;
using TypedSocketIo.Soak;

// The soak test: a Socket.IO server in a child process of this program, and this process keeping
// thousands of connections busy against it on 127.0.0.1 for a while (see ../README.md).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

SoakOptions options;
try
{
    options = SoakOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(SoakOptions.Usage);
    return 0;
}

if (options.Replot is { } csv)
{
    (List<Row> rows, double loadStart, double loadEnd) = SoakReport.ReadCsv(csv);
    string svg = Path.ChangeExtension(csv, ".svg");
    await File.WriteAllTextAsync(svg, SoakReport.Svg(options, rows, loadStart, loadEnd));
    Console.WriteLine($"wrote {svg}");
    return 0;
}

if (options.Server)
{
    return await SoakServer.RunAsync(options);
}

ThreadPool.SetMinThreads(Math.Max(16, Environment.ProcessorCount * 4), 16);
return await new SoakRun(options).RunAsync();
