using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Reads a kubeconfig as kubectl and client-go do, for the one context the speaker uses: which
/// files (the given path, else every file in <c>KUBECONFIG</c>, else <c>~/.kube/config</c>), how
/// they merge (the first file to name a cluster, user or context, or to set
/// <c>current-context</c>, wins), and that relative paths are relative to the file that holds
/// them. Every problem becomes an <see cref="InvalidOperationException"/> that names the file, the
/// entry, the field (with its line) and what was expected. Token and key values never appear in
/// a message.
/// </summary>
internal static class Kubeconfig
{
    public static KubernetesApiOptions Load(string? path, string? contextName, Func<string, string?> environment)
    {
        var config = new Merged();
        foreach (var file in Files(path, environment))
        {
            Read(file, config);
        }
        var files = string.Join(", ", config.Files);
        var name = string.IsNullOrEmpty(contextName) ? config.CurrentContext : contextName;
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidOperationException(
                $"kubeconfig {files}: no context was named and current-context is not set (contexts: {Names(config.Contexts)})");
        }
        if (!config.Contexts.TryGetValue(name, out var context))
        {
            throw new InvalidOperationException($"kubeconfig {files}: context \"{name}\" is not in contexts (contexts: {Names(config.Contexts)})");
        }

        var clusterName = RequiredString(context, "cluster");
        if (!config.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw Problem(context, "cluster", Field(context, "cluster"), $"cluster \"{clusterName}\" is not in clusters (clusters: {Names(config.Clusters)})");
        }
        var options = ReadCluster(cluster);

        var userName = OptionalString(context, "user");
        if (!string.IsNullOrEmpty(userName))
        {
            if (!config.Users.TryGetValue(userName, out var user))
            {
                throw Problem(context, "user", Field(context, "user"), $"user \"{userName}\" is not in users (users: {Names(config.Users)})");
            }
            options = ReadUser(user, options);
        }
        // The context's own namespace is where kubectl works, not where MetalLB's resources are: it is not used.
        return options with { Origin = $"kubeconfig {context.File}, context {name}" };
    }

    /// <summary>The files to read, in precedence order.</summary>
    private static List<string> Files(string? path, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(path))
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new InvalidOperationException($"kubeconfig {full}: the file does not exist");
            }
            return [full];
        }
        var list = environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(list))
        {
            var named = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
            // kubectl skips the files of KUBECONFIG that do not exist.
            var existing = named.Where(File.Exists).ToList();
            if (existing.Count == 0)
            {
                throw new InvalidOperationException($"kubeconfig: none of the files in KUBECONFIG exists ({string.Join(", ", named)})");
            }
            return existing;
        }
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = Path.Combine(home, ".kube", "config");
        if (!File.Exists(fallback))
        {
            throw new InvalidOperationException($"kubeconfig: no file was given, KUBECONFIG is not set and {fallback} does not exist");
        }
        return [fallback];
    }

    private static void Read(string file, Merged config)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"kubeconfig {file}: cannot read it: {e.Message}", e);
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // YamlDotNet's messages describe the syntax, never the scalar values, so no token leaks here.
            throw new InvalidOperationException($"kubeconfig {file}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16.3 throws this, without a position, for some unterminated flow collections ("[a, b").
            throw new InvalidOperationException($"kubeconfig {file}: not valid YAML: an unterminated [ ] or {{ }} collection or quoted string");
        }
        config.Files.Add(file);
        var root = stream.Documents.FirstOrDefault()?.RootNode;
        if (root is null or YamlScalarNode { Value: null or "" })
        {
            return; // An empty file is an empty config, as kubectl reads it.
        }
        if (root is not YamlMappingNode map)
        {
            throw new InvalidOperationException($"kubeconfig {file}: line {root.Start.Line}: expected a mapping with clusters, users, contexts and current-context");
        }
        ReadSection(file, map, "clusters", "cluster", config.Clusters);
        ReadSection(file, map, "users", "user", config.Users);
        ReadSection(file, map, "contexts", "context", config.Contexts);
        if (config.CurrentContext is null && Child(map, "current-context") is YamlScalarNode { Value: { Length: > 0 } current })
        {
            config.CurrentContext = current;
        }
    }

    private static void ReadSection(string file, YamlMappingNode root, string section, string kind, Dictionary<string, Entry> entries)
    {
        var node = Child(root, section);
        if (node is null or YamlScalarNode { Value: null or "" or "null" or "~" })
        {
            return;
        }
        if (node is not YamlSequenceNode list)
        {
            throw new InvalidOperationException($"kubeconfig {file}: line {node.Start.Line}: field {section}: expected a list of {{name, {kind}}}");
        }
        var index = 0;
        foreach (var item in list)
        {
            var where = $"kubeconfig {file}: {section}[{index}] (line {item.Start.Line})";
            if (item is not YamlMappingNode entry)
            {
                throw new InvalidOperationException($"{where}: expected a mapping with name and {kind}");
            }
            if (Child(entry, "name") is not YamlScalarNode { Value: { Length: > 0 } name })
            {
                throw new InvalidOperationException($"{where}: field name: expected a non-empty name");
            }
            if (Child(entry, kind) is not YamlMappingNode body)
            {
                throw new InvalidOperationException($"{where}, {kind} \"{name}\": field {kind}: expected a mapping");
            }
            // The first file (and within a file, the first entry) to name it wins.
            entries.TryAdd(name, new Entry(file, kind, name, body, (int)item.Start.Line));
            index++;
        }
    }

    private static KubernetesApiOptions ReadCluster(Entry cluster)
    {
        var server = RequiredString(cluster, "server");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            throw Problem(cluster, "server", Field(cluster, "server"), $"expected an http(s) URL, got \"{server}\"");
        }
        if (url.AbsolutePath is not ("/" or ""))
        {
            throw Problem(cluster, "server", Field(cluster, "server"),
                $"a server URL with a path (\"{url.AbsolutePath}\", a proxy in front of the API server) is not supported; give the API server's own URL");
        }
        if (Field(cluster, "proxy-url") is { } proxy)
        {
            throw Problem(cluster, "proxy-url", proxy, "proxies are not supported; reach the API server directly or through kubectl proxy and --api-server");
        }
        string? caPem = null;
        string? caFile = null;
        // client-go: the -data form wins over the file.
        if (OptionalString(cluster, "certificate-authority-data") is { } caData)
        {
            caPem = Base64Text(cluster, "certificate-authority-data", caData);
            RequireCertificates(cluster, "certificate-authority-data", caPem, "base64 of a PEM bundle of CA certificates");
        }
        else if (OptionalString(cluster, "certificate-authority") is { } caPath)
        {
            caFile = ExistingFile(cluster, "certificate-authority", caPath);
            RequireCertificates(cluster, "certificate-authority", ReadText(cluster, "certificate-authority", caFile), "a file holding PEM CA certificates");
        }
        return new KubernetesApiOptions
        {
            Server = url,
            CaPem = caPem,
            CaFile = caFile,
            InsecureSkipTlsVerify = OptionalBool(cluster, "insecure-skip-tls-verify"),
            TlsServerName = OptionalString(cluster, "tls-server-name") is { Length: > 0 } tlsName ? tlsName : null,
        };
    }

    private static KubernetesApiOptions ReadUser(Entry user, KubernetesApiOptions options)
    {
        const string Use = "use token, tokenFile or client-certificate/client-key, or run kubectl proxy and --api-server";
        if (Field(user, "exec") is { } exec)
        {
            var command = (exec as YamlMappingNode) is { } e && Child(e, "command") is YamlScalarNode { Value: { } c } ? $" ({c})" : "";
            throw Problem(user, "exec", exec, $"exec credential plugins{command} are not supported; {Use}");
        }
        if (Field(user, "auth-provider") is { } provider)
        {
            throw Problem(user, "auth-provider", provider, $"auth-provider plugins are not supported; {Use}");
        }
        foreach (var basic in new[] { "username", "password" })
        {
            if (Field(user, basic) is { } node)
            {
                throw Problem(user, basic, node, $"basic authentication (username/password) is not supported; {Use}");
            }
        }
        foreach (var impersonation in new[] { "as", "as-uid", "as-groups", "as-user-extra" })
        {
            if (Field(user, impersonation) is { } node)
            {
                throw Problem(user, impersonation, node, "impersonation is not supported");
            }
        }

        var token = OptionalString(user, "token");
        var tokenFile = OptionalString(user, "tokenFile") is { } tokenPath ? ExistingFile(user, "tokenFile", tokenPath) : null;
        return options with
        {
            Token = string.IsNullOrEmpty(token) ? null : token,
            TokenFile = tokenFile,
            ClientCertificate = ClientCertificate(user),
        };
    }

    private static X509Certificate2? ClientCertificate(Entry user)
    {
        var (certificateField, certificatePem) = PemOf(user, "client-certificate");
        var (keyField, keyPem) = PemOf(user, "client-key");
        if (certificatePem is null && keyPem is null)
        {
            return null;
        }
        if (certificatePem is null || keyPem is null)
        {
            var (given, missing) = certificatePem is null ? (keyField, "client-certificate") : (certificateField, "client-key");
            throw Problem(user, missing, Field(user, given), $"{given} is given without {missing} or {missing}-data: both are needed");
        }
        RequireCertificates(user, certificateField, certificatePem, certificateField.EndsWith("-data", StringComparison.Ordinal)
            ? "base64 of a PEM certificate" : "a file holding a PEM certificate");
        try
        {
            return X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Not e.Message: it is only about the key, and a parser's message could quote what it read.
            throw Problem(user, keyField, Field(user, keyField),
                $"expected a PEM private key (PKCS#8, PKCS#1 or EC) that matches {certificateField} (its value is not shown)");
        }
    }

    /// <summary>The PEM text of NAME-data (base64) or of the file NAME; the -data form wins, as in client-go.</summary>
    private static (string Field, string? Pem) PemOf(Entry entry, string name)
    {
        if (OptionalString(entry, name + "-data") is { Length: > 0 } data)
        {
            return (name + "-data", Base64Text(entry, name + "-data", data));
        }
        if (OptionalString(entry, name) is { Length: > 0 } path)
        {
            var file = ExistingFile(entry, name, path);
            return (name, ReadText(entry, name, file));
        }
        return (name, null);
    }

    private static void RequireCertificates(Entry entry, string field, string pem, string expected)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            certificates.Clear();
        }
        if (certificates.Count == 0)
        {
            throw Problem(entry, field, Field(entry, field), $"expected {expected}, found no certificate");
        }
    }

    private static string Base64Text(Entry entry, string field, string value)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            throw Problem(entry, field, Field(entry, field), "expected base64 (its value is not shown)");
        }
    }

    /// <summary>A path from the kubeconfig, relative to the directory of the file that holds it (kubectl's rule).</summary>
    private static string ExistingFile(Entry entry, string field, string path)
    {
        var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.File)!, path));
        if (!File.Exists(full))
        {
            throw Problem(entry, field, Field(entry, field), $"the file {full} does not exist");
        }
        return full;
    }

    private static string ReadText(Entry entry, string field, string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Problem(entry, field, Field(entry, field), $"cannot read {file}: {e.GetType().Name}");
        }
    }

    private static string RequiredString(Entry entry, string field) =>
        OptionalString(entry, field) is { Length: > 0 } value
            ? value
            : throw Problem(entry, field, Field(entry, field), "expected a non-empty string" + (Field(entry, field) is null ? ", the field is missing" : ""));

    private static string? OptionalString(Entry entry, string field) => Field(entry, field) switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        var other => throw Problem(entry, field, other, "expected a string"),
    };

    private static bool OptionalBool(Entry entry, string field) => OptionalString(entry, field)?.ToLowerInvariant() switch
    {
        null or "" or "false" => false,
        "true" => true,
        _ => throw Problem(entry, field, Field(entry, field), "expected true or false"),
    };

    private static YamlNode? Field(Entry entry, string field) => Child(entry.Body, field);

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is not YamlScalarNode { Value: null, Style: ScalarStyle.Plain } ? value : null;

    private static InvalidOperationException Problem(Entry entry, string field, YamlNode? at, string problem) =>
        new($"kubeconfig {entry.File}, {entry.Kind} \"{entry.Name}\" (line {(at is null ? entry.Line : (int)at.Start.Line)}), field {field}: {problem}");

    private static string Names(Dictionary<string, Entry> entries) => entries.Count == 0 ? "none" : string.Join(", ", entries.Keys);

    /// <summary>One named cluster, user or context, with the file it came from.</summary>
    /// <remarks>A class, not a record: a record's ToString would print the body, token and key included.</remarks>
    private sealed class Entry(string file, string kind, string name, YamlMappingNode body, int line)
    {
        public string File { get; } = file;
        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public YamlMappingNode Body { get; } = body;
        public int Line { get; } = line;
    }

    private sealed class Merged
    {
        public List<string> Files { get; } = [];
        public Dictionary<string, Entry> Clusters { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Entry> Users { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Entry> Contexts { get; } = new(StringComparer.Ordinal);
        public string? CurrentContext { get; set; }
    }
}
