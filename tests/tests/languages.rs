//! Users in their own language, through the real command lines over mutual TLS: a bad import, a
//! bad configuration and a refused question, in French and in Portuguese; the language chosen
//! by `--lang`, then the configuration, then the environment; a template to fill in.

mod common;

use std::process::{Command, Stdio};

use common::{MIDWA_EXE, NODE_EXE, TestRegion, path};

const FR: &[(&str, &str)] = &[("LANG", "fr_SN.UTF-8")];
const PT: &[(&str, &str)] = &[("LANG", "pt_CV.UTF-8")];

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_import_is_reported_in_french_and_portuguese_with_every_problem_of_each_row() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();
    let _node = region.start_node("NG").await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("retours.csv");
    // Line 2: a bad sex and a date in the future; line 3: valid; line 4: an unknown mode.
    std::fs::write(
        &file,
        "\u{feff}person_id;sex;nationality;return_date;mode;return_type;host_country\r\n\
         P1;Q;NG;2999-01-01;air;avrr;LY\r\n\
         P2;F;NG;2024-03-01;air;avrr;LY\r\n\
         P3;M;NG;2024-03-01;bateau;avrr;LY\r\n",
    )
    .expect("write");

    let (ok, out, err) = region.node_command_env("NG", FR, &["import", path(&file)]);
    assert!(!ok, "{out}{err}");
    for expected in [
        "retours.csv : ligne 2, colonne B (sex) : \"Q\" n'est pas l'une des valeurs : F, M, X",
        "retours.csv : ligne 2, colonne D (return_date) : 2999-01-01 est dans le futur",
        "retours.csv : ligne 4, colonne E (mode) : \"bateau\" n'est pas l'une des valeurs : air, land, sea",
        "erreur : retours.csv : 2 lignes sur 3 ne peuvent pas être importées ; rien n'a été enregistré",
        "docs/formats/fr.md",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("line 2"), "English left in:\n{err}");

    let (ok, out, err) = region.node_command_env("NG", PT, &["import", path(&file)]);
    assert!(!ok, "{out}{err}");
    for expected in [
        "retours.csv: linha 2, coluna B (sex): \"Q\" não é um dos valores: F, M, X",
        "retours.csv: linha 2, coluna D (return_date): 2999-01-01 está no futuro",
        "erro: retours.csv: 2 de 3 linhas não podem ser importadas; nada foi registado",
        "docs/formats/pt.md",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }

    // The node's status, in Portuguese.
    let (ok, out, err) = region.node_command_env("NG", PT, &["status"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("porta de ligação:") && out.contains("(ligada)") && out.contains("eventos"),
        "{out}"
    );

    // --lang wins over the environment; without either, English.
    let (_, _, err) = region.node_command_env("NG", PT, &["--lang", "fr", "import", path(&file)]);
    assert!(err.contains("ligne 4, colonne E (mode)"), "{err}");
    let (_, _, err) = region.node_command("NG", &["import", path(&file)]);
    assert!(err.contains("line 4, column E (mode)"), "{err}");
    assert!(
        err.contains("error: retours.csv: 2 of 3 rows cannot be imported"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_sample_files_import_as_they_are() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();
    let _node = region.start_node("NG").await;
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats/samples");
    for (file, rows) in [
        ("returns.csv", 4),
        ("assistance.csv", 4),
        ("assessments.csv", 3),
        ("closures.csv", 2),
    ] {
        let (ok, out, err) =
            region.node_command_env("NG", FR, &["import", path(&samples.join(file))]);
        assert!(ok, "{file}: {out}{err}");
        assert!(
            out.contains(&format!("{file} : {rows} lignes"))
                && out.contains("enregistrées maintenant"),
            "{file}: {out}"
        );
    }

    // What the other commands report, in the agency's language.
    region.push_policy(
        "NG",
        "[[grant]]\nrecipient = \"coordinators\"\ndata = \"aggregates:returns\"\ndimensions = [\"period\"]\npurpose = \"suivi régional\"\n",
    );
    let (ok, out, err) = region.node_command_env("NG", FR, &["policy", "show"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("NG : politique version 1 en vigueur depuis le")
            && out.contains("1 autorisation")
            && out.contains("destinataire :")
            && out.contains("coordinators"),
        "{out}"
    );
    let (ok, out, err) = region.node_command_env("NG", PT, &["erase", "NG-2024-0004"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("apagamento registado (sequência") && out.contains("esquecidos aqui"),
        "{out}"
    );
    let (ok, out, _) = region.midwa_env("consulate-NG", FR, &["verify", "0000-0000-0000"]);
    assert!(!ok && out.contains("NON VÉRIFIÉ"), "{out}");
}

#[test]
fn a_bad_configuration_is_explained_in_french_and_portuguese() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("node.toml");
    std::fs::write(
        &config,
        "state = \"NG\"\ntrust_domain = \"midwa.example\"\ndata_dir = \"data\"\n\n[tls]\ncert = \"c\"\nkey = \"k\"\nca = \"ca\"\n[publsh]\n",
    )
    .expect("write");
    let run = |env: &[(&str, &str)], file: &std::path::Path| {
        let output = Command::new(NODE_EXE)
            .args(["--config", path(file), "status"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("run midwa-node");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let err = run(FR, &config);
    assert!(
        err.contains("erreur : configuration ")
            && err.contains("node.toml : ligne 9 : publsh n'est pas un champ de ce fichier"),
        "{err}"
    );
    // LC_MESSAGES before LANG, as POSIX says.
    let err = run(
        &[("LANG", "fr_FR.UTF-8"), ("LC_MESSAGES", "pt_GW.UTF-8")],
        &config,
    );
    assert!(
        err.contains("erro: configuração ")
            && err.contains("linha 9: publsh não é um campo deste ficheiro"),
        "{err}"
    );
    // A file that is not there: said once, in the user's words.
    let missing = dir.path().join("absent.toml");
    let err = run(FR, &missing);
    assert!(
        err.contains("impossible de lire la configuration") && err.contains("introuvable"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    let err = run(PT, &missing);
    assert!(err.contains("não é possível ler a configuração"), "{err}");
}

#[test]
fn a_bad_certificate_is_explained_in_french_and_portuguese() {
    let dir = tempfile::tempdir().expect("dir");
    for name in ["cert.pem", "key.pem", "ca.pem"] {
        std::fs::write(dir.path().join(name), "not a certificate\n").expect("write");
    }
    let config = dir.path().join("client.toml");
    std::fs::write(
        &config,
        "gateway = \"https://127.0.0.1:9\"\ntrust_domain = \"midwa.example\"\n[tls]\ncert = \"cert.pem\"\nkey = \"key.pem\"\nca = \"ca.pem\"\n",
    )
    .expect("write");
    let run = |lang: &str| {
        let output = Command::new(MIDWA_EXE)
            .args([
                "--config",
                path(&config),
                "--lang",
                lang,
                "query",
                "returns",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run midwa");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let fr = run("fr");
    assert!(
        fr.contains(
            "ca.pem : aucun certificat trouvé ; le certificat de l'autorité régionale était attendu"
        ),
        "{fr}"
    );
    let pt = run("pt");
    assert!(
        pt.contains("ca.pem: nenhum certificado encontrado; esperava-se o certificado da autoridade regional"),
        "{pt}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_question_comes_back_in_the_language_of_the_asker() {
    let region = TestRegion::new(&["NG"]);
    let _gateway = region.start_gateway();

    let (ok, _, err) = region.midwa_env("coordinator", FR, &["query", "everything"]);
    assert!(!ok);
    assert!(
        err.contains("erreur : la passerelle a refusé la question : la mesure \"everything\" n'est pas l'une des suivantes : returns"),
        "{err}"
    );
    let (ok, _, err) = region.midwa_env("coordinator", PT, &["query", "returns", "--by", "colour"]);
    assert!(!ok);
    assert!(
        err.contains("erro: a porta de ligação recusou a pergunta: \"colour\" não é uma dimensão"),
        "{err}"
    );

    // An answer, with its notes, in French.
    let (ok, out, err) = region.midwa_env("coordinator", FR, &["query", "returns"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("returns (seuil ")
            && out.contains("effectif")
            && out.contains("Les chiffres sont bruités"),
        "{out}"
    );

    // The configuration's language beats the environment's; --lang beats both.
    let original = region.region.client("coordinator").expect("coordinator");
    let config = original.with_file_name("coordinator-pt.toml");
    let text = std::fs::read_to_string(original).expect("config");
    std::fs::write(&config, format!("lang = \"pt\"\n{text}")).expect("write");
    let ask = |extra: &[&str]| {
        let output = Command::new(MIDWA_EXE)
            .args(["--config", path(&config)])
            .args(extra)
            .args(["query", "everything"])
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "fr_CI.UTF-8")
            .stdin(Stdio::null())
            .output()
            .expect("run midwa");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(ask(&[]).contains("a medida \"everything\""), "{}", ask(&[]));
    assert!(ask(&["--lang", "en"]).contains("metric \"everything\" is not one of"));
}

#[test]
fn a_template_is_written_in_the_users_language_and_reads_back_as_its_kind() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("evaluations.csv");
    let output = Command::new(NODE_EXE)
        .args([
            "--lang",
            "pt",
            "import",
            "--template",
            "assessments",
            path(&file),
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run midwa-node");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("docs/formats/pt.md"), "{out}");
    assert!(
        out.contains("economic") && out.contains("um número de 0 a 1"),
        "{out}"
    );
    let written = std::fs::read(&file).expect("template");
    assert_eq!(
        written,
        b"\xef\xbb\xbfperson_id;date;economic;social;psychosocial\r\n"
    );
    // Not over an existing file.
    let again = Command::new(NODE_EXE)
        .args([
            "--lang",
            "fr",
            "import",
            "--template",
            "assessments",
            path(&file),
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run midwa-node");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe"));
}
