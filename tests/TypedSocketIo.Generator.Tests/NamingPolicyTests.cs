using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Testing;
using TypedSocketIo.Generator.Tests.Infrastructure;

namespace TypedSocketIo.Generator.Tests;

/// <summary>
/// How each <see cref="EventNamingPolicy"/> turns method names into wire names, read from the
/// <c>SocketIoEventInfo</c> entries of the generated <c>Register()</c> (one single-event contract
/// per policy and name, so that no two names can collide).
/// </summary>
public sealed class NamingPolicyTests
{
    /// <summary>Every method name the tests ask about.</summary>
    public static readonly string[] Names =
    {
        "UserJoined", "URLValue", "ID", "ABC", "X", "ping", "getValue", "IOStream", "HTMLParser", "XMLHttpRequest",
        "IPAddress", "UserID", "MyURL", "ABCDef", "HasIPv6", "Level2Up", "Value2", "A1B2", "Send2Room", "Get2FA",
        "ÄpfelBirnen", "ÉtéÀ", "Foo_Bar", "Foo__Bar", "_Hidden", "Trailing_", "Snake_case_Name", "already_snake",
    };

    private static readonly EventNamingPolicy[] Policies = Enum.GetValues<EventNamingPolicy>();

    private static readonly Lazy<IReadOnlyDictionary<(EventNamingPolicy, string), string>> s_wireNames = new(Generate);

    [Theory]
    [InlineData("UserJoined", "userJoined")]
    [InlineData("URLValue", "urlValue")]
    [InlineData("ID", "id")]
    [InlineData("ABC", "abc")]
    [InlineData("X", "x")]
    [InlineData("ping", "ping")]
    [InlineData("IOStream", "ioStream")]
    [InlineData("XMLHttpRequest", "xmlHttpRequest")]
    [InlineData("UserID", "userID")]
    [InlineData("MyURL", "myURL")]
    [InlineData("ABCDef", "abcDef")]
    [InlineData("Level2Up", "level2Up")]
    [InlineData("A1B2", "a1B2")]
    [InlineData("ÄpfelBirnen", "äpfelBirnen")]
    [InlineData("Foo_Bar", "foo_Bar")]
    [InlineData("_Hidden", "_Hidden")]
    public void Camel_case(string method, string wire) => Assert.Equal(wire, WireName(EventNamingPolicy.CamelCase, method));

    [Theory]
    [InlineData("UserJoined", "user-joined")]
    [InlineData("URLValue", "url-value")]
    [InlineData("ID", "id")]
    [InlineData("ping", "ping")]
    [InlineData("getValue", "get-value")]
    [InlineData("XMLHttpRequest", "xml-http-request")]
    [InlineData("IPAddress", "ip-address")]
    [InlineData("UserID", "user-id")]
    [InlineData("HasIPv6", "has-i-pv6")]
    [InlineData("Level2Up", "level2-up")]
    [InlineData("Value2", "value2")]
    [InlineData("Get2FA", "get2-fa")]
    [InlineData("ÉtéÀ", "été-à")]
    public void Kebab_case(string method, string wire) => Assert.Equal(wire, WireName(EventNamingPolicy.KebabCase, method));

    [Theory]
    [InlineData("UserJoined", "user_joined")]
    [InlineData("URLValue", "url_value")]
    [InlineData("HTMLParser", "html_parser")]
    [InlineData("XMLHttpRequest", "xml_http_request")]
    [InlineData("MyURL", "my_url")]
    [InlineData("Send2Room", "send2_room")]
    [InlineData("A1B2", "a1_b2")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("Snake_case_Name", "snake_case_name")]
    public void Snake_case(string method, string wire) => Assert.Equal(wire, WireName(EventNamingPolicy.SnakeCase, method));

    /// <summary>
    /// Underscores in method names are word separators for the kebab and snake policies: runs of them
    /// collapse, leading ones go, and kebab-case turns them into dashes. (System.Text.Json's
    /// KebabCaseLower and SnakeCaseLower keep them as they are.)
    /// </summary>
    [Theory]
    [InlineData(EventNamingPolicy.KebabCase, "Foo_Bar", "foo-bar")]
    [InlineData(EventNamingPolicy.KebabCase, "Foo__Bar", "foo-bar")]
    [InlineData(EventNamingPolicy.KebabCase, "_Hidden", "hidden")]
    [InlineData(EventNamingPolicy.KebabCase, "Trailing_", "trailing-")]
    [InlineData(EventNamingPolicy.KebabCase, "already_snake", "already-snake")]
    [InlineData(EventNamingPolicy.SnakeCase, "Foo__Bar", "foo_bar")]
    [InlineData(EventNamingPolicy.SnakeCase, "_Hidden", "hidden")]
    [InlineData(EventNamingPolicy.SnakeCase, "Trailing_", "trailing_")]
    public void Underscores_separate_words(EventNamingPolicy policy, string method, string wire) => Assert.Equal(wire, WireName(policy, method));

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Exact_keeps_the_method_name(string method) => Assert.Equal(method, WireName(EventNamingPolicy.Exact, method));

    /// <summary>The default policy is camelCase.</summary>
    [Theory]
    [MemberData(nameof(AllNames))]
    public void Default_is_camel_case(string method) => Assert.Equal(WireName(EventNamingPolicy.CamelCase, method), DefaultWireName(method));

    /// <summary>Names without underscores get the wire name System.Text.Json gives a property of that name.</summary>
    [Theory]
    [MemberData(nameof(NamesWithoutUnderscores))]
    public void Agrees_with_System_Text_Json(string method)
    {
        Assert.Equal(JsonNamingPolicy.CamelCase.ConvertName(method), WireName(EventNamingPolicy.CamelCase, method));
        Assert.Equal(JsonNamingPolicy.KebabCaseLower.ConvertName(method), WireName(EventNamingPolicy.KebabCase, method));
        Assert.Equal(JsonNamingPolicy.SnakeCaseLower.ConvertName(method), WireName(EventNamingPolicy.SnakeCase, method));
    }

    public static TheoryData<string> AllNames() => new(Names);

    public static TheoryData<string> NamesWithoutUnderscores() => new(Names.Where(n => !n.Contains('_', StringComparison.Ordinal)));

    private static string WireName(EventNamingPolicy policy, string method)
    {
        Assert.Contains(method, Names);
        return s_wireNames.Value[(policy, method)];
    }

    private static string DefaultWireName(string method) => s_wireNames.Value[((EventNamingPolicy)(-1), method)];

    /// <summary>
    /// One contract per policy (and one without a policy, key -1) and name, generated in one run; the
    /// wire names are read from the <c>new SocketIoEventInfo("wire", "Method", …)</c> of each Register().
    /// </summary>
    private static IReadOnlyDictionary<(EventNamingPolicy, string), string> Generate()
    {
        var source = new StringBuilder("using TypedSocketIo;\n\nnamespace Names;\n");
        var contracts = new Dictionary<string, (EventNamingPolicy Policy, string Method)>(StringComparer.Ordinal);
        foreach (EventNamingPolicy policy in Policies.Prepend((EventNamingPolicy)(-1)))
        {
            for (int i = 0; i < Names.Length; i++)
            {
                string name = $"I{(policy < 0 ? "Default" : policy.ToString())}{i}";
                contracts.Add($"Names.{name}.SocketIo.g.cs", (policy, Names[i]));
                string attribute = policy < 0 ? "[SocketIoEvents]" : $"[SocketIoEvents(NamingPolicy = EventNamingPolicy.{policy})]";
                source.Append($"\n{attribute}\npublic interface {name}\n{{\n    void {Names[i]}();\n}}\n");
            }
        }

        // No diagnostic, no compiler warning. Run off the test's synchronization context: the lazy
        // value is read by synchronous tests.
        var run = new SocketIoGeneratorTest { TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck, TestCode = source.ToString() };
        Task.Run(() => run.RunAsync()).GetAwaiter().GetResult();

        var result = new Dictionary<(EventNamingPolicy, string), string>();
        foreach ((string hintName, (EventNamingPolicy policy, string method)) in contracts)
        {
            (string wire, string registered) = RegisteredEvents(run.File(hintName)).Single();
            Assert.Equal(method, registered);
            result.Add((policy, method), wire);
        }

        return result;
    }

    /// <summary>The (wire name, method name) of each <c>SocketIoEventInfo</c> the generated file registers.</summary>
    private static IEnumerable<(string Wire, string Method)> RegisteredEvents(string generated)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(generated).GetRoot();
        MethodDeclarationSyntax register = root.DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "Register");
        foreach (ObjectCreationExpressionSyntax creation in register.DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
        {
            if (creation.Type.ToString() == "global::TypedSocketIo.SocketIoEventInfo")
            {
                SeparatedSyntaxList<ArgumentSyntax> arguments = creation.ArgumentList!.Arguments;
                yield return (((LiteralExpressionSyntax)arguments[0].Expression).Token.ValueText, ((LiteralExpressionSyntax)arguments[1].Expression).Token.ValueText);
            }
        }
    }
}
