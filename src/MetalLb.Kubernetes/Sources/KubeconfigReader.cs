using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's <see cref="K8SConfiguration"/> model, field by field from
/// YamlDotNet's representation model, plus the users' <c>tokenFile</c> (client-go reads it; the model has no such
/// field). Not <c>KubernetesClientConfiguration.LoadKubeConfig</c>: its YAML deserializer reflects over the model and
/// asks each property for its metadata token, which the NativeAOT <c>bgpkit</c> cannot answer (its type initializer
/// throws, and no kubeconfig could be read at all).
/// </summary>
/// <remarks>
/// Unknown fields are ignored, as client-go does. A section of the wrong shape (a mapping where a list belongs) is a
/// <see cref="YamlException"/> at that node, worded as YamlDotNet's deserializer words it.
/// </remarks>
internal static class KubeconfigReader
{
    public static (K8SConfiguration Config, Dictionary<string, string> TokenFiles) Read(string text)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(text))
        {
            stream.Load(reader);
        }
        var tokenFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return (new K8SConfiguration(), tokenFiles);
        }
        var root = Mapping(stream.Documents[0].RootNode);
        var config = new K8SConfiguration
        {
            ApiVersion = Text(root, "apiVersion"),
            Kind = Text(root, "kind"),
            CurrentContext = Text(root, "current-context"),
            Clusters = Entries(root, "clusters", n => new Cluster { Name = Text(n, "name"), ClusterEndpoint = Map(n, "cluster", ClusterEndpoint) }),
            Contexts = Entries(root, "contexts", n => new Context { Name = Text(n, "name"), ContextDetails = Map(n, "context", ContextDetails) }),
            Users = Entries(root, "users", n =>
            {
                var user = new User { Name = Text(n, "name"), UserCredentials = Map(n, "user", UserCredentials) };
                if (user.Name is { Length: > 0 } name && Field(n, "user") is YamlMappingNode credentials && Text(credentials, "tokenFile") is { Length: > 0 } path)
                {
                    tokenFiles.TryAdd(name, path);
                }
                return user;
            }),
        };
        return (config, tokenFiles);
    }

    private static ClusterEndpoint ClusterEndpoint(YamlMappingNode n) => new()
    {
        Server = Text(n, "server"),
        CertificateAuthority = Text(n, "certificate-authority"),
        CertificateAuthorityData = Text(n, "certificate-authority-data"),
        SkipTlsVerify = Flag(n, "insecure-skip-tls-verify"),
        TlsServerName = Text(n, "tls-server-name"),
    };

    private static ContextDetails ContextDetails(YamlMappingNode n) => new()
    {
        Cluster = Text(n, "cluster"),
        User = Text(n, "user"),
        Namespace = Text(n, "namespace"),
    };

    private static UserCredentials UserCredentials(YamlMappingNode n) => new()
    {
        ClientCertificate = Text(n, "client-certificate"),
        ClientCertificateData = Text(n, "client-certificate-data"),
        ClientKey = Text(n, "client-key"),
        ClientKeyData = Text(n, "client-key-data"),
        Token = Text(n, "token"),
        Impersonate = Text(n, "as"),
        ImpersonateGroups = List(n, "as-groups", ScalarText),
        ImpersonateUserExtra = Map(n, "as-user-extra", x => x.Children.ToDictionary(e => ScalarText(e.Key), e => ScalarText(e.Value), StringComparer.Ordinal)) ?? [],
        UserName = Text(n, "username"),
        Password = Text(n, "password"),
        AuthProvider = Map(n, "auth-provider", p => new AuthProvider
        {
            Name = Text(p, "name"),
            Config = Map(p, "config", c => c.Children.ToDictionary(e => ScalarText(e.Key), e => ScalarText(e.Value), StringComparer.Ordinal)),
        }),
        ExternalExecution = Map(n, "exec", e => new ExternalExecution
        {
            ApiVersion = Text(e, "apiVersion"),
            Command = Text(e, "command"),
            Arguments = List(e, "args", ScalarText),
            EnvironmentVariables = Entries(e, "env", v => v.Children.ToDictionary(p => ScalarText(p.Key), p => ScalarText(p.Value), StringComparer.Ordinal)),
            ProvideClusterInfo = Flag(e, "provideClusterInfo"),
            InstallHint = Text(e, "installHint"),
        }),
    };

    private static YamlNode? Field(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is not YamlScalarNode { Value: null or "~" or "null", Style: ScalarStyle.Plain }
            ? value
            : null;

    private static string? Text(YamlMappingNode map, string key) => Field(map, key) is { } node ? ScalarText(node) : null;

    private static bool Flag(YamlMappingNode map, string key) => Text(map, key) is { } text && (bool.TryParse(text, out var flag)
        ? flag
        : throw Shape(Field(map, key)!, $"Expected a boolean for {key}, got '{text}'"));

    private static T? Map<T>(YamlMappingNode map, string key, Func<YamlMappingNode, T> read) where T : class =>
        Field(map, key) is { } node ? read(Mapping(node)) : null;

    private static List<T> List<T>(YamlMappingNode map, string key, Func<YamlNode, T> read)
    {
        if (Field(map, key) is not { } node)
        {
            return [];
        }
        return node is YamlSequenceNode sequence ? sequence.Children.Select(read).ToList() : throw Expected("SequenceStart", node);
    }

    private static List<T> Entries<T>(YamlMappingNode map, string key, Func<YamlMappingNode, T> read) => List(map, key, n => read(Mapping(n)));

    private static YamlMappingNode Mapping(YamlNode node) => node as YamlMappingNode ?? throw Expected("MappingStart", node);

    private static string ScalarText(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : throw Expected("Scalar", node);

    private static YamlException Expected(string wanted, YamlNode node) =>
        Shape(node, $"Expected '{wanted}', got '{node switch { YamlMappingNode => "MappingStart", YamlSequenceNode => "SequenceStart", _ => "Scalar" }}'"
            + $" (at Line: {node.Start.Line}, Col: {node.Start.Column}, Idx: {node.Start.Index})");

    private static YamlException Shape(YamlNode node, string message) => new(node.Start, node.End, message + ".");
}
