using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Core;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>
/// Turns one kubeconfig context into KubernetesClient's <see cref="KubernetesClientConfiguration"/>.
/// <see cref="KubeconfigReader"/> reads the files into KubernetesClient's <see cref="K8SConfiguration"/> model and
/// the library builds the
/// configuration (credentials of every kind, exec plugins included); this class adds what it lacks:
/// kubectl's choice of files (the given path, else every file of <c>KUBECONFIG</c>, skipping missing
/// ones, else <c>~/.kube/config</c>); kubectl's merge of several files, with each entry's relative
/// paths taken relative to the file that holds it (the library's own merge is internal and resolves
/// every path against the first file); an entry-less user meaning no credentials, as in kubectl;
/// and errors that name the file, the entry and the field, checked before the library reads the
/// entry because its own messages name neither the file nor the field. Token, key and plugin output
/// values never appear in a message.
/// </summary>
internal static class KubeconfigContext
{
    public static KubernetesApiOptions Load(string? path, string? contextName, Func<string, string?> environment)
    {
        var merged = new Merged();
        foreach (var file in Files(path, environment))
        {
            var (read, tokenFiles) = Read(file);
            merged.Add(file, read, tokenFiles);
        }
        var files = string.Join(", ", merged.Files);
        var name = string.IsNullOrEmpty(contextName) ? merged.CurrentContext : contextName;
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidOperationException(
                $"kubeconfig {files}: no context was named and current-context is not set (contexts: {Names(merged.Contexts)})");
        }
        if (!merged.Contexts.TryGetValue(name, out var contextEntry))
        {
            throw new InvalidOperationException($"kubeconfig {files}: context \"{name}\" is not in contexts (contexts: {Names(merged.Contexts)})");
        }
        var (context, contextFile) = contextEntry;
        var where = new Where(contextFile, "context", name);
        var clusterName = context.ContextDetails?.Cluster;
        if (string.IsNullOrEmpty(clusterName))
        {
            throw where.Problem("cluster", "expected the name of a cluster, the field is missing");
        }
        if (!merged.Clusters.TryGetValue(clusterName, out var clusterEntry))
        {
            throw where.Problem("cluster", $"cluster \"{clusterName}\" is not in clusters (clusters: {Names(merged.Clusters)})");
        }
        var server = CheckCluster(clusterEntry.Item, new Where(clusterEntry.File, "cluster", clusterName));

        User? user = null;
        Where? userWhere = null;
        string? tokenFile = null;
        if (context.ContextDetails!.User is { Length: > 0 } userName)
        {
            if (!merged.Users.TryGetValue(userName, out var userEntry))
            {
                throw where.Problem("user", $"user \"{userName}\" is not in users (users: {Names(merged.Users)})");
            }
            userWhere = new Where(userEntry.File, "user", userName);
            user = CheckUser(userEntry.Item, userWhere);
            // client-go: a token wins over tokenFile.
            if (merged.TokenFiles.TryGetValue(userName, out var file) && string.IsNullOrEmpty(userEntry.Item.UserCredentials?.Token))
            {
                tokenFile = File.Exists(file) ? file : throw userWhere.Problem("tokenFile", $"the file {file} does not exist");
            }
        }

        // Only the chosen entries go to the library: it then cannot trip over (or match case-insensitively) the others.
        var chosen = new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = name,
            Contexts = [new Context { Name = name, ContextDetails = new ContextDetails { Cluster = clusterName, User = user?.Name } }],
            Clusters = [clusterEntry.Item],
            Users = user is null ? [] : [user],
        };
        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigObject(chosen, name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw user?.UserCredentials.ExternalExecution is { } exec
                ? userWhere!.Problem("exec", ExecFailure(exec, e))
                : where.Problem(user is null ? "cluster" : "user", "KubernetesClient cannot use it: " + Scrub(e, user));
        }
        return new KubernetesApiOptions
        {
            Server = server,
            TokenFile = tokenFile,
            Kubeconfig = config,
            Origin = $"kubeconfig {contextFile}, context {name}",
        };
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

    private static (K8SConfiguration Config, Dictionary<string, string> TokenFiles) Read(string file)
    {
        try
        {
            // Paths stay as written here; Merged.Add makes them relative to this file.
            return KubeconfigReader.Read(File.ReadAllText(file));
        }
        catch (YamlException e)
        {
            // Only the position and YamlDotNet's own words (the part after "(Line: ..) - (Line: ..): "), never an inner
            // exception: a type-conversion failure's inner message can quote the value, which may be a token.
            var text = e.Message;
            var cut = text.StartsWith("(Line", StringComparison.Ordinal) ? text.IndexOf("): ", StringComparison.Ordinal) : -1;
            throw new InvalidOperationException($"kubeconfig {file}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {(cut < 0 ? text : text[(cut + 3)..])}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this, without a position, for some unterminated flow collections ("[a, b").
            throw new InvalidOperationException($"kubeconfig {file}: not valid YAML: an unterminated [ ] or {{ }} collection or quoted string");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"kubeconfig {file}: cannot read it: {e.GetType().Name}", e);
        }
    }

    private static Uri CheckCluster(Cluster cluster, Where where)
    {
        var endpoint = cluster.ClusterEndpoint;
        if (string.IsNullOrWhiteSpace(endpoint?.Server))
        {
            throw where.Problem("server", "expected an http(s) URL, the field is missing");
        }
        if (!Uri.TryCreate(endpoint.Server, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            throw where.Problem("server", $"expected an http(s) URL, got \"{endpoint.Server}\"");
        }
        // The library reads the -data form before the file, as client-go does.
        if (!string.IsNullOrEmpty(endpoint.CertificateAuthorityData))
        {
            RequireCertificates(where, "certificate-authority-data", Base64Text(where, "certificate-authority-data", endpoint.CertificateAuthorityData),
                "base64 of a PEM bundle of CA certificates");
        }
        else if (!string.IsNullOrEmpty(endpoint.CertificateAuthority))
        {
            RequireCertificates(where, "certificate-authority", ReadText(where, "certificate-authority", endpoint.CertificateAuthority),
                "a file holding PEM CA certificates");
        }
        return url;
    }

    /// <summary>The user as the library should see it; null when it has no credentials at all (kubectl then sends none).</summary>
    private static User? CheckUser(User user, Where where)
    {
        var credentials = user.UserCredentials;
        if (credentials is null
            || (string.IsNullOrEmpty(credentials.Token) && string.IsNullOrEmpty(credentials.UserName) && string.IsNullOrEmpty(credentials.ClientCertificate)
                && string.IsNullOrEmpty(credentials.ClientCertificateData) && string.IsNullOrEmpty(credentials.ClientKey)
                && string.IsNullOrEmpty(credentials.ClientKeyData) && credentials.AuthProvider is null && credentials.ExternalExecution is null))
        {
            return null;
        }
        CheckClientCertificate(credentials, where);
        if (credentials.ExternalExecution is { } exec)
        {
            CheckExec(exec, where);
        }
        if (credentials.AuthProvider is { } provider)
        {
            if (provider.Name is "gcp" or "azure")
            {
                var plugin = provider.Name == "gcp" ? "gke-gcloud-auth-plugin" : "kubelogin";
                throw where.Problem("auth-provider", $"the {provider.Name} auth-provider was removed from Kubernetes clients; use the {plugin} exec plugin");
            }
            if (provider.Name != "oidc")
            {
                throw where.Problem("auth-provider", $"auth-provider \"{provider.Name}\" is not supported (oidc is; other providers became exec plugins)");
            }
            foreach (var key in (ReadOnlySpan<string>)["id-token", "client-id", "idp-issuer-url", "refresh-token"])
            {
                if (provider.Config?.ContainsKey(key) != true)
                {
                    throw where.Problem("auth-provider", $"the oidc provider needs config.{key}");
                }
            }
        }
        if (!string.IsNullOrEmpty(credentials.UserName) && string.IsNullOrEmpty(credentials.Password))
        {
            throw where.Problem("password", "username is given without password: both are needed");
        }
        return user;
    }

    private static void CheckClientCertificate(UserCredentials credentials, Where where)
    {
        var (certificateField, certificatePem) = PemOf(where, "client-certificate", credentials.ClientCertificateData, credentials.ClientCertificate);
        var (keyField, keyPem) = PemOf(where, "client-key", credentials.ClientKeyData, credentials.ClientKey);
        if (certificatePem is null && keyPem is null)
        {
            return;
        }
        if (certificatePem is null || keyPem is null)
        {
            var (given, missing) = certificatePem is null ? (keyField, "client-certificate") : (certificateField, "client-key");
            throw where.Problem(missing, $"{given} is given without {missing} or {missing}-data: both are needed");
        }
        RequireCertificates(where, certificateField, certificatePem, certificateField.EndsWith("-data", StringComparison.Ordinal)
            ? "base64 of a PEM certificate" : "a file holding a PEM certificate");
        try
        {
            using var pair = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // Not e.Message: it is only about the key, and a parser's message could quote what it read.
            throw where.Problem(keyField, $"expected a PEM private key (PKCS#8, PKCS#1 or EC) that matches {certificateField} (its value is not shown)");
        }
    }

    /// <summary>The PEM text of NAME-data (base64) or of the file NAME; the -data form wins, as in client-go and the library.</summary>
    private static (string Field, string? Pem) PemOf(Where where, string name, string? data, string? file) =>
        !string.IsNullOrEmpty(data) ? (name + "-data", Base64Text(where, name + "-data", data))
        : !string.IsNullOrEmpty(file) ? (name, ReadText(where, name, file))
        : (name, null);

    private static void CheckExec(ExternalExecution exec, Where where)
    {
        if (string.IsNullOrWhiteSpace(exec.ApiVersion))
        {
            throw where.Problem("exec.apiVersion", "expected client.authentication.k8s.io/v1 or v1beta1, the field is missing");
        }
        if (string.IsNullOrWhiteSpace(exec.Command))
        {
            throw where.Problem("exec.command", "expected the plugin's command, the field is missing");
        }
        var index = 0;
        foreach (var variable in exec.EnvironmentVariables ?? [])
        {
            // The library's own message for this quotes the values, which are often secrets.
            if (!variable.ContainsKey("name") || !variable.ContainsKey("value"))
            {
                throw where.Problem($"exec.env[{index}]", "expected name and value");
            }
            index++;
        }
        if (Resolve(exec.Command) is null)
        {
            var hint = exec.InstallHint is { Length: > 0 } h ? " (" + h.Trim().ReplaceLineEndings(" ") + ")" : "";
            throw where.Problem("exec.command", (exec.Command.Contains('/', StringComparison.Ordinal)
                ? $"the plugin {exec.Command} does not exist"
                : $"the plugin \"{exec.Command}\" is not found in PATH") + hint);
        }
    }

    /// <summary>The plugin's path as a process start would find it: a path as given, else the first PATH entry holding it.</summary>
    private static string? Resolve(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal) || Path.IsPathRooted(command))
        {
            return File.Exists(command) ? command : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Why the plugin gave no credential, in words. The library neither checks the exit code nor
    /// says more than "deserialization failed" (and its message can carry the output, a token
    /// perhaps), so the plugin is run once more here to learn the exit code; its output is read and dropped.
    /// </summary>
    private static string ExecFailure(ExternalExecution exec, Exception failure)
    {
        var reason = failure.Message;
        if (reason.Contains("due to timeout", StringComparison.Ordinal))
        {
            return $"the plugin {exec.Command} did not finish within {KubernetesClientConfiguration.ExecTimeout.TotalSeconds:0} s";
        }
        int? exitCode = null;
        try
        {
            using var process = KubernetesClientConfiguration.CreateRunnableExternalProcess(exec);
            process.Start();
            _ = process.StandardOutput.ReadToEnd();
            if (process.WaitForExit(KubernetesClientConfiguration.ExecTimeout))
            {
                exitCode = process.ExitCode;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return $"the plugin {exec.Command} cannot be started: {e.GetType().Name}";
        }
        if (exitCode is { } code and not 0)
        {
            return $"the plugin {exec.Command} exited with code {code}";
        }
        var what = reason.Contains("api version", StringComparison.Ordinal) ? $"an ExecCredential of another apiVersion than {exec.ApiVersion}"
            : reason.Contains("missing token", StringComparison.Ordinal) ? "an ExecCredential without status.token or status.clientCertificateData"
            : $"no ExecCredential (JSON, apiVersion {exec.ApiVersion}) that KubernetesClient could read";
        return $"the plugin {exec.Command} printed {what} (its output is not shown)";
    }

    /// <summary>The first line of a library message with every secret of the user taken out.</summary>
    private static string Scrub(Exception e, User? user)
    {
        var text = e.Message.Split('\n')[0].Trim();
        var credentials = user?.UserCredentials;
        IEnumerable<string?> secrets = [credentials?.Token, credentials?.Password, credentials?.ClientKeyData, credentials?.ClientCertificateData,
            .. (IEnumerable<string?>?)credentials?.AuthProvider?.Config?.Values ?? []];
        foreach (var secret in secrets.OfType<string>().Where(s => s.Length >= 4))
        {
            text = text.Replace(secret, "(hidden)", StringComparison.Ordinal);
        }
        return text;
    }

    private static void RequireCertificates(Where where, string field, string pem, string expected)
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
            throw where.Problem(field, $"expected {expected}, found no certificate");
        }
    }

    private static string Base64Text(Where where, string field, string value)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(value));
        }
        catch (FormatException)
        {
            throw where.Problem(field, "expected base64 (its value is not shown)");
        }
    }

    private static string ReadText(Where where, string field, string file)
    {
        if (!File.Exists(file))
        {
            throw where.Problem(field, $"the file {file} does not exist");
        }
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw where.Problem(field, $"cannot read {file}: {e.GetType().Name}");
        }
    }

    private static string Names<T>(Dictionary<string, (T Item, string File)> entries) =>
        entries.Count == 0 ? "none" : string.Join(", ", entries.Keys);

    /// <summary>A named entry of a kubeconfig file, for messages.</summary>
    private sealed record Where(string File, string Kind, string Name)
    {
        public InvalidOperationException Problem(string field, string problem) =>
            new($"kubeconfig {File}, {Kind} \"{Name}\", field {field}: {problem}");
    }

    /// <summary>kubectl's merge: for each cluster, user and context name, and for current-context, the first file that sets it wins.</summary>
    private sealed class Merged
    {
        public List<string> Files { get; } = [];
        public Dictionary<string, (Cluster Item, string File)> Clusters { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (User Item, string File)> Users { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (Context Item, string File)> Contexts { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> TokenFiles { get; } = new(StringComparer.Ordinal);
        public string? CurrentContext { get; private set; }

        public void Add(string file, K8SConfiguration config, Dictionary<string, string> tokenFiles)
        {
            Files.Add(file);
            var directory = Path.GetDirectoryName(file)!;
            string? Relative(string? path) => string.IsNullOrEmpty(path) ? path : Path.GetFullPath(Path.Combine(directory, path));
            foreach (var cluster in config.Clusters ?? [])
            {
                if (cluster?.Name is { Length: > 0 } name && !Clusters.ContainsKey(name))
                {
                    if (cluster.ClusterEndpoint is { } endpoint)
                    {
                        endpoint.CertificateAuthority = Relative(endpoint.CertificateAuthority);
                    }
                    Clusters[name] = (cluster, file);
                }
            }
            foreach (var user in config.Users ?? [])
            {
                if (user?.Name is { Length: > 0 } name && !Users.ContainsKey(name))
                {
                    if (user.UserCredentials is { } credentials)
                    {
                        credentials.ClientCertificate = Relative(credentials.ClientCertificate);
                        credentials.ClientKey = Relative(credentials.ClientKey);
                        // client-go: a plugin command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
                        if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains('/', StringComparison.Ordinal))
                        {
                            exec.Command = Relative(command);
                        }
                    }
                    Users[name] = (user, file);
                    if (tokenFiles.TryGetValue(name, out var tokenFile))
                    {
                        TokenFiles[name] = Relative(tokenFile)!;
                    }
                }
            }
            foreach (var context in config.Contexts ?? [])
            {
                if (context?.Name is { Length: > 0 } name)
                {
                    Contexts.TryAdd(name, (context, file));
                }
            }
            if (CurrentContext is null && config.CurrentContext is { Length: > 0 } current)
            {
                CurrentContext = current;
            }
        }
    }
}
