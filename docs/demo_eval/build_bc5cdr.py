"""Build the BC5CDR-Disease / BC5CDR-Chemical demo evaluation sets from inline markup.

Every sentence below was written for this project (no corpus text). Mentions are marked
inline: ``[[D:...]]`` is a Disease mention (bc5cdr-disease file), ``[[C:...]]`` a Chemical
mention (bc5cdr-chemical file). Both files share the same sentences and tokens; a token is
never both a disease and a chemical.

Two annotation passes:

* ``FIRST_PASS``: the sentences as first annotated. Rows 1-40 are the 40 rows of the
  previous demo sets, taken over with their annotations unchanged; rows 41-200 are new.
* ``CORRECTIONS``: corrections made by re-reading every row against the guidelines in
  ``clingen_hf/core/tasks/ner.py`` (DISEASE_GUIDELINES, CHEMICAL_GUIDELINES): row number
  (1-based) -> (corrected markup, reason). Only tags may change, never the text.

Run ``python docs/demo_eval/build_bc5cdr.py`` from the repository root. It writes

* ``docs/demo_eval/bc5cdr-{disease,chemical}.first-pass.jsonl`` (first pass),
* ``clingen_hf/seeds/bc5cdr-{disease,chemical}.demo-eval.jsonl`` (final, second pass),
* ``docs/demo_eval/bc5cdr.md`` (counts, inter-pass agreement, corrections),

and checks the format constraints of ``tests/data/test_demo_eval_sets.py`` first (nothing is written
to the seeds folder if one fails).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from markup import agreement, apply_corrections, format_problems, mention_count, rows, write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "docs" / "demo_eval"
SEEDS_DIR = ROOT / "clingen_hf" / "seeds"
TYPES = {"D": "Disease", "C": "Chemical"}
FIRST_ROW_NUMBER = 1  # CORRECTIONS count rows from 1, as the report does
FILES = {"D": "bc5cdr-disease", "C": "bc5cdr-chemical"}

FIRST_PASS = [
    # ---- rows 1-40: the previous 40-row demo sets, annotations as they were ----
    "[[C:Valproic acid]] ( [[C:VPA]] ) monotherapy was associated with [[D:hepatotoxicity]] in two infants with refractory [[D:epilepsy]] .",
    "[[D:Acute renal failure]] developed in an elderly patient within five days of starting intravenous [[C:vancomycin]] .",
    "Blood pressure and heart rate were recorded every 15 min during the first 2 h after dosing .",
    "[[C:Clozapine]] - induced [[D:agranulocytosis]] remains the major factor limiting the use of this antipsychotic agent .",
    "We investigated whether pretreatment with [[C:melatonin]] protects against [[C:gentamicin]] - induced [[D:ototoxicity]] in guinea pigs .",
    "Prolonged high - dose [[C:propofol]] infusion has been linked to [[D:metabolic acidosis]] , [[D:rhabdomyolysis]] and [[D:cardiac failure]] in critically ill patients .",
    "[[C:Cyclophosphamide]] - induced [[D:hemorrhagic cystitis]] was prevented by [[C:mesna]] in all but one patient .",
    "The rats were killed 48 h after the final injection , and the kidneys were removed for histological examination .",
    "[[D:Tardive dyskinesia]] was observed in 12 % of elderly patients after one year of [[C:metoclopramide]] treatment .",
    "Plasma concentrations of [[C:digoxin]] rose by approximately 70 % when [[C:verapamil]] was added to the regimen .",
    "Patients who developed [[D:hypotension]] during induction of anaesthesia received fluids and , when required , a vasopressor .",
    "[[D:Nephrotoxicity]] and [[D:hypokalemia]] are the most frequent adverse effects of [[C:amphotericin B deoxycholate]] .",
    "[[C:Isotretinoin]] use has been associated with [[D:depression]] and [[D:suicidal ideation]] in adolescents , although a causal link remains controversial .",
    "A total of 312 patients were randomly assigned to the two treatment arms , and 287 completed the study .",
    "The combination of [[C:trimethoprim]] and [[C:sulfamethoxazole]] caused [[D:hyperkalemia]] in patients with [[D:renal insufficiency]] .",
    "[[D:Bradycardia]] and [[D:atrioventricular block]] were reported following ophthalmic administration of [[C:timolol]] .",
    "Three patients were withdrawn from the trial because of severe [[D:nausea]] , and one because of [[D:headache]] .",
    "Intraperitoneal [[C:pilocarpine]] ( 380 mg / kg ) induced [[D:status epilepticus]] in rats within 30 min .",
    "Hepatic enzyme activities returned to normal values within four weeks after the drug was discontinued .",
    "[[C:Ethambutol]] - associated [[D:optic neuropathy]] is usually reversible if the drug is stopped promptly .",
    "[[C:Bleomycin]] - induced [[D:pulmonary fibrosis]] in mice was attenuated by treatment with [[C:pirfenidone]] .",
    "Pretreatment with [[C:naloxone]] blocked the analgesic effect of [[C:morphine]] in the tail - flick test .",
    "[[D:Stevens - Johnson syndrome]] ( [[D:SJS]] ) occurred in two patients who had started [[C:carbamazepine]] within the preceding month .",
    "Creatine kinase activity was measured in serum samples collected before and after treatment .",
    "[[D:Lactic acidosis]] is a rare but serious complication of [[C:metformin]] therapy in elderly patients .",
    "[[C:Tacrolimus]] trough levels were higher in recipients who developed [[D:neurotoxicity]] , including [[D:tremor]] and [[D:seizures]] .",
    "Hemodynamic parameters did not differ significantly between the placebo and active treatment groups .",
    "[[C:Warfarin]] users who were also prescribed [[C:fluconazole]] had a threefold higher risk of major [[D:bleeding]] .",
    "[[D:Parkinsonism]] induced by [[C:flunarizine]] improved slowly after withdrawal of the drug .",
    "Chronic recreational use of [[C:ketamine]] has been linked to [[D:ulcerative cystitis]] and [[D:hydronephrosis]] .",
    "Each animal received a single intravenous injection through the tail vein , and control animals received vehicle alone .",
    "Dose adjustments were made according to the plasma trough concentration measured on day 7 .",
    "Intravenous [[C:lidocaine]] at high plasma concentrations produced [[D:convulsions]] and [[D:respiratory depression]] in dogs .",
    "Rats treated with [[C:dexamethasone]] for ten days developed [[D:insulin resistance]] and [[D:hypertension]] .",
    "[[C:Cocaine]] - associated [[D:myocardial infarction]] occurs most often in young men without other cardiovascular risk factors .",
    "[[C:Quinine]] was identified as the cause of [[D:thrombocytopenia]] and [[D:hemolytic uremic syndrome]] in a woman who had taken it for nocturnal [[D:leg cramps]] .",
    "The [[C:nitric oxide]] donor [[C:sodium nitroprusside]] reversed [[D:vasospasm]] in isolated arterial segments .",
    "[[C:Succinylcholine]] caused a transient rise in serum [[C:potassium]] and , in one patient with extensive [[D:burns]] , [[D:cardiac arrest]] .",
    "[[D:Ototoxicity]] was more common in children who received cumulative [[C:carboplatin]] doses above 400 mg / m2 .",
    "[[C:Levodopa]] - induced [[D:dyskinesias]] were reduced by [[C:amantadine]] without loss of antiparkinsonian benefit .",
    # ---- rows 41-200: new ----
    "[[C:Amiodarone]]-induced [[D:pulmonary toxicity]] was diagnosed in 5 of 112 patients treated for [[D:atrial fibrillation]].",
    "Serum creatinine increased by more than 0.5 mg/dL in 14% of patients receiving [[C:tenofovir]].",
    "[[D:Acute interstitial nephritis]] was attributed to [[C:omeprazole]] after other causes had been excluded.",
    "[[D:Cardiotoxicity]] limits the cumulative dose of [[C:anthracyclines]] such as [[C:epirubicin]].",
    "The patients were followed up for a median of 26 months after the end of treatment.",
    "Mice given [[C:acetaminophen]] (300 mg/kg) developed [[D:acute liver injury]] with marked elevation of alanine aminotransferase.",
    "Pretreatment with [[C:N-acetylcysteine]] restored hepatic [[C:glutathione]] levels but did not prevent [[D:hepatotoxicity]].",
    "[[C:Aminoglycosides]] remain an important cause of [[D:nephrotoxicity]] and [[D:ototoxicity]] in neonates.",
    "[[C:Gentamicin]] accumulates in the proximal tubule, where it inhibits lysosomal phospholipases.",
    "[[D:Generalized tonic-clonic seizures]] occurred shortly after an intravenous bolus of [[C:tramadol]] in a patient with [[D:chronic renal failure]].",
    "[[C:Cisplatin]] and [[C:carboplatin]] differ markedly in their potential to cause [[D:peripheral neuropathy]].",
    "Neurotransmitter levels were measured by high-performance liquid chromatography with electrochemical detection.",
    "[[C:Haloperidol decanoate]] was replaced by oral [[C:risperidone]] in patients with [[D:schizophrenia]].",
    "[[D:Neuroleptic malignant syndrome]] developed after the dose of [[C:fluphenazine]] was doubled.",
    "[[C:Taxanes]] frequently cause [[D:sensory neuropathy]], which may persist for years after treatment.",
    "[[D:Hypotension]] requiring vasopressor support occurred in 9% of patients after the first dose of [[C:dexmedetomidine]].",
    "Blood samples were drawn at baseline and at 1, 2, 4, 8 and 24 h after the infusion.",
    "[[C:Propranolol]] reduced portal pressure and the risk of [[D:variceal bleeding]] in patients with [[D:cirrhosis]].",
    "Chronic exposure to [[C:carbon tetrachloride]] ([[C:CCl4]]) produced [[D:liver fibrosis]] in rats.",
    "Mild nausea and dizziness were the only adverse events reported with [[C:ondansetron]].",
    "[[C:5-Fluorouracil]] ([[C:5-FU]]) may cause [[D:coronary vasospasm]], particularly during continuous infusion.",
    "The activity of cytochrome P450 3A4 was inhibited by [[C:ketoconazole]] in human liver microsomes.",
    "[[D:Myocardial ischemia]] was induced in rats by subcutaneous injection of [[C:isoproterenol]] (85 mg/kg).",
    "[[D:Hemolytic anemia]] has been reported after [[C:primaquine]] in patients with [[D:glucose-6-phosphate dehydrogenase deficiency]].",
    "[[C:Corticosteroid]]-sparing regimens are preferred in children with frequently relapsing [[D:nephrotic syndrome]].",
    "Long-term use of [[C:glucocorticoids]] increases the risk of [[D:osteoporosis]] and [[D:vertebral fractures]].",
    "[[C:Alendronate]] is a [[C:bisphosphonate]] used to prevent bone loss in postmenopausal women.",
    "[[D:Osteonecrosis of the jaw]] is an uncommon complication of intravenous [[C:zoledronic acid]].",
    "Patients were instructed to take the tablets with food and to avoid grapefruit juice.",
    "Serum [[C:lithium]] concentrations above 2.0 mmol/L were associated with [[D:acute encephalopathy]] in elderly patients.",
    "[[D:Hyponatremia]] is a well recognized complication of [[C:carbamazepine]] and [[C:oxcarbazepine]].",
    "Serum [[C:sodium]] fell from 138 to 121 mmol/L within a week of starting [[C:desmopressin]].",
    "[[D:Malignant hyperthermia]] was triggered by [[C:sevoflurane]] in a child with [[D:central core disease]].",
    "Muscle rigidity and fever developed within hours of anaesthesia with [[C:halothane]].",
    "Body weight and food intake were recorded daily throughout the 28-day study period.",
    "[[C:Methotrexate]] is the anchor drug in the treatment of [[D:rheumatoid arthritis]].",
    "[[D:Interstitial pneumonitis]] was the most serious adverse effect of low-dose [[C:methotrexate]] in this cohort.",
    "[[C:Folic acid]] supplementation reduced the incidence of [[D:stomatitis]] without compromising efficacy.",
    "[[C:Vincristine]] [[D:neurotoxicity]] was aggravated by concomitant [[C:itraconazole]], a potent inhibitor of CYP3A4.",
    "[[C:Ciprofloxacin]] and other [[C:fluoroquinolones]] have been associated with [[D:tendon rupture]].",
    "[[C:Erythromycin]] prolonged the QT interval in a dose-dependent manner in isolated rabbit hearts.",
    "[[D:Torsade de pointes]] developed in a woman receiving [[C:methadone]] 240 mg daily for [[D:opioid dependence]].",
    "[[C:Naloxone]] rapidly reversed [[D:respiratory depression]] caused by intrathecal [[C:fentanyl]].",
    "Constipation and drowsiness were the most frequent complaints among patients taking [[C:oxycodone]].",
    "[[D:Hepatic veno-occlusive disease]] occurred in 12% of recipients conditioned with [[C:busulfan]] and [[C:cyclophosphamide]].",
    "The recommended starting dose is 0.5 mg twice daily, titrated weekly according to response.",
    "[[C:Ifosfamide]] can cause [[D:Fanconi syndrome]] and [[D:encephalopathy]] in children with [[D:sarcoma]].",
    "[[D:Acute pancreatitis]] was reported in three children receiving L-asparaginase during induction therapy.",
    "[[C:Didanosine]] and [[C:stavudine]] were associated with [[D:pancreatitis]] and [[D:lactic acidosis]] in HIV-infected adults.",
    "[[C:Zidovudine]]-induced [[D:myopathy]] is characterized by ragged-red fibres and mitochondrial DNA depletion.",
    "Inhibition of DNA polymerase gamma by [[C:nucleoside analogues]] depletes mitochondrial DNA in muscle and liver.",
    "[[C:Valproate]] can cause [[D:hyperammonemic encephalopathy]] even when serum [[C:valproate]] levels are within the therapeutic range.",
    "Prenatal exposure to [[C:sodium valproate]] increases the risk of [[D:neural tube defects]] and [[D:autism spectrum disorder]].",
    "Ataxia and nystagmus appeared when the serum [[C:phenytoin]] concentration exceeded 30 mg/L.",
    "[[D:Gingival hyperplasia]] developed in 40% of children on long-term [[C:phenytoin]].",
    "[[C:Lamotrigine]] was withdrawn because of a maculopapular rash, which resolved within two weeks.",
    "[[D:Toxic epidermal necrolysis]] ([[D:TEN]]) was associated with [[C:allopurinol]] started for asymptomatic [[D:hyperuricemia]].",
    "[[D:Gout]] flares were more frequent in the first months after initiation of [[C:urate]]-lowering therapy.",
    "Concomitant [[C:clarithromycin]] raises plasma [[C:colchicine]] levels and may precipitate [[D:neuromyopathy]].",
    "The study protocol was approved by the institutional animal care committee.",
    "[[C:Cyclosporine]] [[D:nephrotoxicity]] was assessed by repeated renal biopsies in [[D:psoriasis]] patients.",
    "[[D:Thrombotic microangiopathy]] is a rare complication of [[C:gemcitabine]] and [[C:mitomycin C]].",
    "Endothelin-1 and [[C:thromboxane A2]] contribute to the renal vasoconstriction produced by [[C:cyclosporine]].",
    "[[D:Posterior reversible encephalopathy syndrome]] ([[D:PRES]]) was diagnosed by MRI in a child receiving [[C:tacrolimus]].",
    "[[D:Post-transplant diabetes mellitus]] was more frequent with [[C:tacrolimus]]-based than with [[C:cyclosporine]]-based regimens.",
    "Pain scores and analgesic consumption were recorded every 4 h during the first postoperative day.",
    "[[C:Celecoxib]] did not increase the risk of [[D:peptic ulcer]] compared with placebo in patients with [[D:osteoarthritis]].",
    "Low-dose [[C:aspirin]] reduced the recurrence of [[D:colorectal adenomas]] but increased [[D:gastrointestinal bleeding]].",
    "The decline of [[D:Reye's syndrome]] followed warnings against [[C:salicylate]] use in children with [[D:influenza]].",
    "[[D:Intracranial hemorrhage]] occurred in 1.1% of patients receiving alteplase for [[D:acute ischemic stroke]].",
    "[[C:Warfarin]]-related [[D:skin necrosis]] is associated with [[D:protein C deficiency]].",
    "The anticoagulant effect of [[C:dabigatran]] was reversed with idarucizumab before emergency surgery.",
    "[[C:Vitamin K]] was given orally to patients with an INR above 9 who were not bleeding.",
    "[[C:Propylthiouracil]] has been linked to [[D:fulminant hepatic failure]] in children with [[D:Graves' disease]].",
    "[[C:Amiodarone]] contains 37% [[C:iodine]] by weight and may cause [[D:hypothyroidism]] or [[D:thyrotoxicosis]].",
    "Thyroid-stimulating hormone and free [[C:thyroxine]] were measured every three months.",
    "[[D:Rhabdomyolysis]] and [[D:acute renal failure]] developed in a patient taking [[C:atorvastatin]] together with [[C:cyclosporine]].",
    "Creatine kinase was elevated more than tenfold in four patients, none of whom had muscle symptoms.",
    "[[C:Rosuvastatin]] 40 mg was associated with proteinuria and haematuria in early clinical trials.",
    "[[C:Thiazides]] and loop diuretics such as [[C:furosemide]] may precipitate [[D:hypokalemia]].",
    "[[D:Hyperkalemia]] was observed in 8% of patients receiving [[C:spironolactone]] in addition to an ACE inhibitor.",
    "Angiotensin-converting enzyme activity in serum was suppressed by more than 90% after [[C:enalapril]].",
    "[[D:Angioedema]] is a potentially life-threatening adverse effect of [[C:lisinopril]] and related drugs.",
    "Cough was the most common reason for discontinuation of [[C:captopril]] in the outpatient cohort.",
    "[[C:Nifedipine]] capsules given sublingually caused precipitous falls in blood pressure and [[D:cerebral ischemia]].",
    "[[C:Hydralazine]] and [[C:procainamide]] are the drugs most frequently implicated in [[D:drug-induced lupus]].",
    "[[D:Ventricular tachycardia]] and [[D:hyperkalemia]] appeared in a child after accidental ingestion of [[C:digoxin]] tablets.",
    "[[C:Digoxin]]-specific antibody fragments restored sinus rhythm within 40 minutes.",
    "[[C:Flecainide]] increased mortality in patients with asymptomatic [[D:ventricular arrhythmias]] after [[D:myocardial infarction]].",
    "[[C:Epinephrine]] remains the first-line treatment for [[D:anaphylaxis]].",
    "[[C:Catecholamines]] released during emotional stress may trigger [[D:takotsubo cardiomyopathy]].",
    "[[C:Cocaine]] and [[C:methamphetamine]] use were independent predictors of [[D:aortic dissection]] in young adults.",
    "[[C:3,4-Methylenedioxymethamphetamine]] ([[C:MDMA]]) produced long-lasting depletion of [[C:serotonin]] in the rat forebrain.",
    "Repeated administration of [[C:MPTP]] to mice is a widely used model of [[D:Parkinson's disease]].",
    "Chronic [[C:haloperidol]] treatment induced vacuous chewing movements in rats, a model of [[D:tardive dyskinesia]].",
    "[[C:Reserpine]] depletes [[C:monoamine]] stores and was historically linked to [[D:depression]] in patients treated for [[D:hypertension]].",
    "[[C:Fluoxetine]] and [[C:paroxetine]] increased the risk of [[D:upper gastrointestinal bleeding]] when combined with [[C:aspirin]].",
    "[[D:Priapism]] was reported in a young man after the first dose of [[C:trazodone]].",
    "[[C:Mirtazapine]] was associated with increased appetite and weight gain in older adults.",
    "[[C:Olanzapine]] treatment was associated with [[D:type 2 diabetes]] and [[D:dyslipidemia]] in a large claims database.",
    "Dopamine D2 receptor occupancy was estimated by positron emission tomography.",
    "[[D:Myocarditis]] is a rare but potentially fatal adverse reaction to [[C:clozapine]].",
    "[[D:Orthostatic hypotension]] and sedation limited the titration of [[C:iloperidone]] in older patients.",
    "[[C:Benzodiazepines]] such as [[C:diazepam]] are first-line agents for [[D:status epilepticus]].",
    "Use of [[C:benzodiazepines]] in older adults was associated with falls and [[D:hip fractures]].",
    "[[C:Flumazenil]] reversed sedation after [[C:midazolam]] but precipitated [[D:seizures]] in one patient.",
    "[[C:Zolpidem]] has been associated with [[D:somnambulism]] and other [[D:parasomnias]].",
    "[[C:Barbiturates]] induce hepatic microsomal enzymes and accelerate the metabolism of [[C:estrogens]].",
    "Oral contraceptives containing [[C:drospirenone]] carried a higher risk of [[D:venous thromboembolism]] than those containing [[C:levonorgestrel]].",
    "[[C:Tamoxifen]] increases the risk of [[D:endometrial cancer]] in postmenopausal women.",
    "[[C:Letrozole]] and [[C:anastrozole]] inhibit aromatase and lower circulating [[C:estradiol]].",
    "[[D:Breast cancer]] patients receiving aromatase inhibitors frequently report arthralgia.",
    "[[D:Heart failure]] was more frequent when trastuzumab was given concurrently with [[C:doxorubicin]].",
    "[[D:Deep vein thrombosis]] occurred in 17% of patients given [[C:lenalidomide]] plus [[C:dexamethasone]] without prophylaxis.",
    "Fluid retention and periorbital edema were the most common adverse events of [[C:imatinib]].",
    "The cells were incubated with [[C:hydrogen peroxide]] ([[C:H2O2]]) for 2 h before lysis.",
    "Superoxide dismutase and catalase activities were lower in kidneys of rats given [[C:cisplatin]].",
    "[[C:Irinotecan]]-induced diarrhea was treated with high-dose [[C:loperamide]].",
    "Patients homozygous for UGT1A1*28 had a higher risk of [[D:neutropenia]] after [[C:irinotecan]].",
    "Granulocyte colony-stimulating factor shortened the duration of [[D:neutropenia]] after [[C:carboplatin]] and [[C:etoposide]].",
    "[[D:Hand-foot syndrome]] was the dose-limiting toxicity of [[C:capecitabine]].",
    "[[C:Capecitabine]] is converted to [[C:5-FU]] in three enzymatic steps, the last catalysed by thymidine phosphorylase.",
    "[[D:Dihydropyrimidine dehydrogenase deficiency]] predisposes to severe toxicity from [[C:fluoropyrimidines]].",
    "[[C:Arsenic trioxide]] induced complete remission in most patients with relapsed [[D:acute promyelocytic leukemia]].",
    "[[C:All-trans retinoic acid]] ([[C:ATRA]]) can cause [[D:differentiation syndrome]], formerly known as [[D:retinoic acid syndrome]].",
    "[[C:Methylene blue]] was given intravenously to treat [[D:methemoglobinemia]] caused by [[C:dapsone]].",
    "Chronic inhibition of nitric oxide synthase with [[C:L-NAME]] produced sustained [[D:hypertension]] in rats.",
    "[[C:Adriamycin]] [[D:nephropathy]] in mice closely resembles human [[D:focal segmental glomerulosclerosis]].",
    "Intrahippocampal [[C:kainic acid]] produced recurrent [[D:seizures]] and hippocampal neuronal loss.",
    "[[C:Pentylenetetrazole]] ([[C:PTZ]]) kindling was used as a model of [[D:epilepsy]].",
    "[[D:Pulmonary hypertension]] was induced in rats by a single subcutaneous injection of [[C:monocrotaline]].",
    "Occupational exposure to [[C:paraquat]] and [[C:rotenone]] has been linked to an increased risk of [[D:Parkinson disease]].",
    "Inhaled [[C:corticosteroids]] reduced the rate of exacerbations in children with persistent [[D:asthma]].",
    "[[D:Drug-induced liver injury]] accounted for 13% of cases of [[D:acute liver failure]] in the registry.",
    "Patients with pre-existing [[D:chronic kidney disease]] were at greater risk of [[D:acute kidney injury]] after coronary angiography.",
    "[[D:Cardiomyopathy]] developed in 4 of 57 children after chemotherapy and mediastinal radiation for [[D:Hodgkin lymphoma]].",
    "Immune checkpoint inhibitors can cause [[D:colitis]], [[D:hepatitis]] and [[D:hypophysitis]].",
    "[[D:Myasthenia gravis]] may be unmasked or exacerbated by several classes of antibiotics.",
    "The incidence of [[D:drug-induced parkinsonism]] rises steeply with age.",
    "A 54-year-old woman presented with jaundice and pruritus three weeks after starting a herbal weight-loss supplement; liver biopsy showed [[D:cholestatic hepatitis]].",
    "Adverse drug reactions caused 6.5% of hospital admissions, most often because of [[D:gastrointestinal bleeding]] or [[D:renal impairment]].",
    "Bevacizumab increased the incidence of [[D:hypertension]] and [[D:gastrointestinal perforation]] in patients with [[D:colorectal cancer]].",
    "Rituximab was associated with reactivation of [[D:hepatitis B]] in patients with [[D:lymphoma]].",
    "Infliximab therapy increases the risk of [[D:tuberculosis]] in patients with [[D:Crohn's disease]].",
    "[[D:Progressive multifocal leukoencephalopathy]] has been reported in patients treated with natalizumab for [[D:multiple sclerosis]].",
    "Botulinum toxin injections improved [[D:cervical dystonia]] in 70% of patients.",
    "[[D:Anaphylaxis]] to enzyme replacement therapy occurred during the third infusion in a boy with [[D:Pompe disease]].",
    "Recombinant erythropoietin corrected [[D:anemia]] in most patients on hemodialysis but raised blood pressure.",
    "[[D:Pure red cell aplasia]] was linked to antibodies against epoetin alfa.",
    "[[D:Hypoglycemia]] was the most frequent serious adverse event in insulin-treated patients with [[D:type 1 diabetes]].",
    "Vaccination was followed by [[D:Guillain-Barre syndrome]] in fewer than two per million recipients.",
    "Antiepileptic drug withdrawal was associated with recurrence of [[D:seizures]] in 41% of children with [[D:epilepsy]].",
    "Long-term immunosuppression after transplantation increases the incidence of [[D:skin cancer]], especially [[D:squamous cell carcinoma]].",
    "The risk of [[D:stroke]] was higher in elderly patients with [[D:dementia]] who received antipsychotic drugs.",
    "[[D:Chemotherapy-induced peripheral neuropathy]] remains a major dose-limiting adverse effect of treatment.",
    "[[D:Acute chest syndrome]] was the leading cause of death among adults with [[D:sickle cell disease]] in the cohort.",
    "Children with [[D:attention deficit hyperactivity disorder]] treated with stimulants showed slightly reduced growth velocity.",
    "[[D:Hearing loss]] was assessed by pure-tone audiometry before each chemotherapy cycle.",
    "Radiotherapy to the chest increased the long-term risk of [[D:coronary artery disease]] and [[D:valvular heart disease]].",
    "[[D:Osteoporosis]] screening is recommended for men receiving long-term hormone therapy for [[D:prostate cancer]].",
]

CORRECTIONS: dict[int, tuple[str, str]] = {
    13: (
        "[[C:Isotretinoin]] use has been associated with [[D:depression]] and suicidal ideation in adolescents , although a causal link remains controversial .",
        "disease: \"suicidal ideation\" untagged - a psychiatric symptom, not a disease (symptoms are not labelled).",
    ),
    17: (
        "Three patients were withdrawn from the trial because of severe nausea , and one because of headache .",
        "disease: \"nausea\" and \"headache\" untagged - symptoms (the row is now disease-free).",
    ),
    26: (
        "[[C:Tacrolimus]] trough levels were higher in recipients who developed [[D:neurotoxicity]] , including tremor and [[D:seizures]] .",
        "disease: \"tremor\" untagged - a sign; \"neurotoxicity\" and \"seizures\" stay.",
    ),
    36: (
        "[[C:Quinine]] was identified as the cause of [[D:thrombocytopenia]] and [[D:hemolytic uremic syndrome]] in a woman who had taken it for nocturnal leg cramps .",
        "disease: \"leg cramps\" untagged - a symptom (muscle cramps), not a disease.",
    ),
    42: (
        "Serum [[C:creatinine]] increased by more than 0.5 mg/dL in 14% of patients receiving [[C:tenofovir]].",
        "chemical: \"creatinine\" tagged - a missed chemical name (serum potassium and serum sodium are tagged in rows 38 and 72); the measurement wording does not exclude the chemical.",
    ),
}


# --------------------------------------------------------------------------- checks and figures


def check(final: dict[str, list[dict]]) -> list[str]:
    problems = []
    for kind, file_rows in final.items():
        problems += format_problems(FILES[kind], file_rows, TYPES[kind], SEEDS_DIR / f"{FILES[kind]}.jsonl")
    if [row["tokens"] for row in final["D"]] != [row["tokens"] for row in final["C"]]:
        problems.append("the two files differ in tokens")
    for number, (d_row, c_row) in enumerate(zip(final["D"], final["C"]), 1):
        if any(d != "O" and c != "O" for d, c in zip(d_row["ner_tags"], c_row["ner_tags"])):
            problems.append(f"row {number}: a token is both a disease and a chemical")
    return problems


def summary(file_rows: list[dict]) -> tuple[int, int, int]:
    free = sum(mention_count(row["ner_tags"]) == 0 for row in file_rows)
    return len(file_rows), free, sum(mention_count(row["ner_tags"]) for row in file_rows)


def markdown(first: dict[str, list[dict]], final: dict[str, list[dict]]) -> str:
    lines = [
        "## BC5CDR demo evaluation sets (bc5cdr-disease, bc5cdr-chemical)",
        "",
        "`clingen_hf/seeds/bc5cdr-disease.demo-eval.jsonl` and `bc5cdr-chemical.demo-eval.jsonl` hold the same "
        "sentences, written for this project in the style of PubMed abstracts on chemicals and the diseases they "
        "cause or treat (no corpus text, no PHI, no person names); the first file tags Disease mentions, the second "
        "Chemical mentions. Source with inline markup and both passes: `docs/demo_eval/build_bc5cdr.py`; "
        "first-pass files: `docs/demo_eval/bc5cdr-{disease,chemical}.first-pass.jsonl`. Rows 1-40 are the "
        "sentences of the former 40-row sets (their old annotations are the first pass of those rows); rows "
        "41-200 are new.",
        "",
        "| file | rows | entity-free rows | mentions |",
        "|---|---|---|---|",
    ]
    for kind in ("D", "C"):
        rows, free, count = summary(final[kind])
        lines.append(f"| {FILES[kind]} | {rows} | {free} ({free / rows:.1%}) | {count} |")
    lines += [
        "",
        "Inter-pass agreement (first pass scored against the final second pass; entity level, exact span, "
        "seqeval strict IOB2; Cohen's kappa over all tokens' B/I/O tags):",
        "",
        "| file | mentions pass 1 -> final | precision | recall | F1 | token kappa | sentences changed |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("D", "C"):
        a = agreement(first[kind], final[kind])
        _, _, count = summary(final[kind])
        lines.append(
            f"| {FILES[kind]} | {a['first_mentions']} -> {count} | {a['precision']:.3f} | {a['recall']:.3f} | "
            f"{a['f1']:.3f} | {a['kappa']:.3f} | {a['changed_rows']} of {len(final[kind])} |"
        )
    lines += [
        "",
        "Both passes were made by the same annotator (the second as a row-by-row review against the guidelines), "
        "so the figures measure self-consistency between passes, not agreement between independent annotators.",
        "",
        "Conventions applied in the second pass, where the guidelines leave room: course, severity and status words "
        "stay outside the span (\"refractory\", \"relapsed\", \"asymptomatic\", \"persistent\", \"major\"), "
        "words that are part of an established disease name stay inside (\"acute renal failure\", \"generalized "
        "tonic-clonic seizures\", \"drug-induced lupus\", \"chemotherapy-induced peripheral neuropathy\"); in "
        "\"<chemical>-induced <disease>\" the chemical and the disease are separate mentions; seizures, "
        "convulsions, hypotension, bradycardia, bleeding and fractures are diseases, while nausea, headache, "
        "dizziness, fever, pain, cough, tremor, ataxia, rash, diarrhea, edema, jaundice, weight gain and lab findings "
        "(proteinuria, QT interval, serum creatinine rises) are symptoms, signs or measurements; proteins, "
        "peptide hormones, antibodies and enzymes (insulin, erythropoietin, alteplase, trastuzumab, "
        "L-asparaginase, CYP3A4, \"dopamine D2 receptor\") are not chemicals, and neither are chemical "
        "words inside an enzyme or disease name (\"glucose-6-phosphate dehydrogenase deficiency\", "
        "\"retinoic acid syndrome\"); drug classes named by mechanism or use (\"ACE inhibitor\", \"loop "
        "diuretics\", \"antibiotics\", \"aromatase inhibitors\") are not labelled, classes named by chemistry "
        "are (\"corticosteroids\", \"taxanes\", \"fluoroquinolones\", \"nucleoside analogues\").",
    ]
    lines += ["", "Second-pass corrections (row: change - reason):", ""]
    for number in sorted(CORRECTIONS):
        lines.append(f"- row {number}: {CORRECTIONS[number][1]}")
    lines += [""]
    return "\n".join(lines)


def main() -> int:
    first = rows(FIRST_PASS, TYPES)
    final = rows(apply_corrections(FIRST_PASS, CORRECTIONS, FIRST_ROW_NUMBER), TYPES)
    problems = check(final)
    for kind in ("D", "C"):
        write_jsonl(OUT_DIR / f"{FILES[kind]}.first-pass.jsonl", first[kind])
    if "--dry-run" in sys.argv:
        for kind in ("D", "C"):
            print(FILES[kind], "first", summary(first[kind]), "final", summary(final[kind]))
        print("\n".join(problems) or "final: no problems")
        return 0
    if problems:
        print("\n".join(problems))
        return 1
    for kind in ("D", "C"):
        write_jsonl(SEEDS_DIR / f"{FILES[kind]}.demo-eval.jsonl", final[kind])
    (OUT_DIR / "bc5cdr.md").write_text(markdown(first, final), encoding="utf-8")
    print((OUT_DIR / "bc5cdr.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
