namespace TypedSocketIo.Generator;

/// <summary>Names of the generator's pipeline steps, for incrementality tests.</summary>
public static class TrackingNames
{
    /// <summary>Contracts declared with [SocketIoEvents], parsed into models.</summary>
    public const string Contracts = nameof(Contracts);

    /// <summary>Contracts imported with [assembly: SocketIoContracts(…)], parsed into models.</summary>
    public const string ImportedContracts = nameof(ImportedContracts);

    /// <summary>The diagnostics of each contract that has any, with their locations.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>Every valid contract model.</summary>
    public const string Specs = nameof(Specs);

    /// <summary>The contracts the module initializer registers.</summary>
    public const string Registrations = nameof(Registrations);

    /// <summary>The TypeScript declarations' model (null unless GenerateSocketIoTypeScript is true).</summary>
    public const string TypeScript = nameof(TypeScript);
}
